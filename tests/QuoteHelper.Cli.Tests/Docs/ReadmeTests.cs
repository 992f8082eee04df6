using System.Diagnostics;

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>
/// README's "Running a helper" block runs as written (issue 8: it stopped at inspect and used root-only paths):
/// bash runs it unchanged with <c>./quote-helper</c> standing for this build of the CLI, and the relying party's verify accepts.
/// </summary>
public sealed class ReadmeTests
{
    [Fact]
    public async Task RunningAHelper_RoundTripBlock_RunsAndVerifies()
    {
        var readme = RepoFiles.Read("README.md");
        var section = readme.IndexOf("## Running a helper", StringComparison.Ordinal);
        var begin = readme.IndexOf("```sh\n", section, StringComparison.Ordinal) + "```sh\n".Length;
        var block = readme[begin..readme.IndexOf("```", begin, StringComparison.Ordinal)];
        Assert.Contains("./quote-helper verify", block, StringComparison.Ordinal);
        Assert.Contains("rm -rf \"$d\"", block, StringComparison.Ordinal);

        // The block runs exactly as written, in a directory whose ./quote-helper execs this build of the CLI (the real
        // wrapper would build a Release copy first; like it, this one execs, so "$!" is the daemon's pid). The trap stops
        // a helper the block started if a step fails, so a failure leaves no process behind.
        using var work = new TempDirectory("qh-readme-");
        var wrapper = work.Combine("quote-helper");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "quote-helper.dll")}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        var script = "set -e\ntrap 'if [ -n \"${helper:-}\" ]; then kill \"$helper\" 2>/dev/null || true; fi' EXIT\n" + block;
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = work.Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        CliProcess.WithoutDiagnostics(info);
        using var bash = Process.Start(info)!;
        bash.StandardInput.Write(script);
        bash.StandardInput.Close();
        var stdout = bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await bash.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            bash.Kill(entireProcessTree: true);
            Assert.Fail("README's block did not finish within 120 s");
        }

        // A helper left running would hold the pipes open: bounded, so the test fails instead of hanging.
        var output = await stdout.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)
            + await stderr.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}\n{output}");
        // The quote's size depends on the DER lengths of the platform's fresh keys and certificates (a few bytes either way).
        Assert.Matches(@"healthy: 1 attestation key id\(s\), quote size 49\d\d bytes", output);
        Assert.Matches(@"quote-helper: wrote a 49\d\d-byte quote to", output);
        Assert.Contains("ACCEPTED: genuine, status UpToDate, accepted by the policy.", output, StringComparison.Ordinal);
    }
}
