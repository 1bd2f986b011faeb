// The part of MPI that KilnMPI uses, in a form Swift can import.
//
// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros that take the
// address of library globals; Swift cannot import them, so these inline functions return
// them. MPICH's handles are integers: the functions hide that difference too.
#ifndef KILN_CMPI_SHIM_H
#define KILN_CMPI_SHIM_H

#include <mpi.h>

static inline MPI_Comm kiln_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype kiln_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Op kiln_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op kiln_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op kiln_mpi_min(void) { return MPI_MIN; }
static inline void *kiln_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler kiln_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int kiln_mpi_success(void) { return MPI_SUCCESS; }
static inline int kiln_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int kiln_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
