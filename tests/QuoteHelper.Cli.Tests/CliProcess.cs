using System.Collections.Concurrent;
using System.Diagnostics;

namespace QuoteHelper.Cli.Tests;

/// <summary>
/// The real <c>quote-helper</c> CLI as a child process (the build output next to the tests), with its output
/// collected line by line. Disposing kills it if it still runs, so no test leaves a process behind.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _all = new();

    private CliProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _all);

    public static CliProcess Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        WithoutDiagnostics(info);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "quote-helper.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Turns the runtime's diagnostics off for a child: tests kill processes on purpose (SIGKILL), and a killed runtime
    /// cannot remove its diagnostic socket and debugger FIFOs from /tmp.
    /// </summary>
    public static void WithoutDiagnostics(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
    }

    /// <summary>Runs the CLI to completion and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(arguments);
        var code = process.WaitForExit(timeout);
        return (code, process.Output);
    }

    public string WaitForLine(string contains, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            foreach (var line in _lines.GetConsumingEnumerable(cancel.Token))
            {
                if (line.Contains(contains, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"No line containing '{contains}' within {timeout}. Output so far:\n{Output}");
    }

    /// <summary>
    /// Waits until the whole output so far contains <paramref name="text"/>, wherever it appeared (the console logger
    /// writes from a background queue, so a log line can arrive after a line the program printed later).
    /// </summary>
    public bool OutputEventuallyContains(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    public bool HasExited => _process.HasExited;

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"The CLI did not exit within {timeout}. Output:\n{Output}");
        }

        _process.WaitForExit(); // drain the output events
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _lines.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        _all.Enqueue(line);
        if (!_lines.IsAddingCompleted)
        {
            _lines.Add(line);
        }
    }
}
