[assembly: AssemblyFixture(typeof(QuoteHelper.Collateral.Tests.SimulatedPlatformFixture))]
