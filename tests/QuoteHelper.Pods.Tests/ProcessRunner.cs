using System.Diagnostics;

namespace QuoteHelper.Pods.Tests;

/// <summary>The outcome of one child process.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"{CommandLine}: exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs a child process with a deadline (killed with its children when it passes).</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var commandLine = $"{file} {string.Join(' ', info.ArgumentList)}";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {commandLine}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{commandLine} did not finish within {timeout.TotalSeconds} s\n--- stdout\n{stdout.Result}\n--- stderr\n{stderr.Result}");
        }

        process.WaitForExit();
        return new ProcessResult(commandLine, process.ExitCode, stdout.Result, stderr.Result);
    }
}
