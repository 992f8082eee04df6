// One image build for the whole run (PodEnvironment), and one pod scenario at a time: the machine has two cores and
// the handover test counts failed quotes under load.
[assembly: AssemblyFixture(typeof(QuoteHelper.Pods.Tests.PodEnvironment))]
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
