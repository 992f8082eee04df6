using System.CommandLine;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// The whole command tree in one place: <c>Program.cs</c> parses with it, and the test that keeps docs/cli.md's
/// generated reference in step with the code walks it (tests/QuoteHelper.Cli.Tests/CliReferenceDocTests.cs).
/// </summary>
internal static class CliRoot
{
    public static RootCommand Create()
    {
        var root = new RootCommand("quote-helper: out-of-proc Intel SGX quote generation (AESM-compatible), on hardware or a simulated platform.");
        root.Subcommands.Add(DaemonCommand.Create());
        root.Subcommands.Add(QuoteCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(CollateralCommand.Create());
        root.Subcommands.Add(PccsCommand.Create());
        return root;
    }
}
