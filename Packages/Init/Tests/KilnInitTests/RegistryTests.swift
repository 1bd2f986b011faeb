import KilnInit
import KilnRegistry
import KilnTensor
import Testing

@Suite struct RegistryTests {
    @Test(arguments: initializers.allNames)
    func everyNameMakesAndRoundTrips(name: String) throws {
        let first = try initializers.make(name == "constant" ? "constant(0.5)" : name)
        let again = try initializers.make(first.description)
        #expect(first.description == again.description)
        #expect(try Spec(parsing: first.description).name == initializers.canonicalName(for: name))
        var a = RandomGenerator(seed: 7), b = RandomGenerator(seed: 7)
        let fan = Fan.dense(inputs: 12, outputs: 20)
        let x = first.make(shape: [12, 20], fan: fan, rng: &a)
        let y = again.make(shape: [12, 20], fan: fan, rng: &b)
        #expect(x.shape == [12, 20])
        #expect(x.scalars == y.scalars)
    }
}
