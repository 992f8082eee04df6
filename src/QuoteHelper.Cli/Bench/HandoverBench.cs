using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using QuoteHelper.Client;
using QuoteHelper.Sgx;

namespace QuoteHelper.Cli.Bench;

/// <summary>
/// <c>bench handover</c>: a helper under load from N Intel-like clients (blocking calls, no retries) is replaced by
/// a second helper on the same socket and state directory; every request is counted, none may fail.
/// </summary>
internal static partial class HandoverBench
{
    private const int SigTerm = 15;

    public sealed record Result(int Clients, long Served, long Failed, long ServedDuringHandover, double HandoverSeconds,
        double MaxLatencyMs, double MaxLatencyDuringHandoverMs, double P99LatencyMs);

    public static Result Run(int clients, TimeSpan phase)
    {
        var work = Directory.CreateTempSubdirectory("quote-helper-handover-");
        var socket = Path.Combine(work.FullName, "run", "aesm.socket");
        var state = Path.Combine(work.FullName, "state");
        Process? first = null;
        Process? second = null;
        try
        {
            first = StartDaemon(socket, state);
            var enclave = SimulatedEnclave.ForSocket(socket);
            var client = new AesmClient(new AesmClientOptions { SocketPath = socket });
            var target = TargetInfo.Read(client.InitQuoteEx(AttestationKeyId.DefaultEcdsaP256, true).Value!.TargetInfo);
            var size = client.GetQuoteSizeEx(AttestationKeyId.DefaultEcdsaP256).Value + 1024;

            var stop = false;
            long windowStart = long.MaxValue, windowEnd = long.MaxValue;
            var samples = new List<(long At, long Ticks, bool Ok)>[clients];
            var threads = Enumerable.Range(0, clients).Select(i => new Thread(() =>
            {
                var mine = samples[i] = new List<(long, long, bool)>(65536);
                while (!Volatile.Read(ref stop))
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var reply = client.GetQuoteEx(enclave.CreateReport(target, [(byte)i]).ToArray(), AttestationKeyId.DefaultEcdsaP256, null, size);
                    mine.Add((t0, Stopwatch.GetTimestamp() - t0, reply.IsSuccess));
                }
            }) { IsBackground = true }).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            Thread.Sleep(phase);
            windowStart = Stopwatch.GetTimestamp();
            second = StartDaemon(socket, state);
            if (!first.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("the first helper did not hand over within 60 s");
            }

            windowEnd = Stopwatch.GetTimestamp();
            Thread.Sleep(phase);
            Volatile.Write(ref stop, true);
            foreach (var thread in threads)
            {
                thread.Join();
            }

            var all = samples.SelectMany(s => s).ToArray();
            var inWindow = all.Where(s => s.At + s.Ticks >= windowStart && s.At <= windowEnd).ToArray();
            var sorted = all.Select(s => s.Ticks).Order().ToArray();
            static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
            return new Result(clients, all.Count(s => s.Ok), all.Count(s => !s.Ok), inWindow.Count(s => s.Ok),
                Math.Round((windowEnd - windowStart) / (double)Stopwatch.Frequency, 3),
                Math.Round(ProcessStats.PercentileMs(sorted, 1.0), 2),
                Math.Round(Ms(inWindow.Length == 0 ? 0 : inWindow.Max(s => s.Ticks)), 2),
                Math.Round(ProcessStats.PercentileMs(sorted, 0.99), 2));
        }
        finally
        {
            foreach (var process in new[] { second, first })
            {
                Stop(process);
                process?.Dispose();
            }

            work.Delete(recursive: true);
        }
    }

    // SIGTERM first, so the helper drains, removes its socket and the runtime its diagnostic files in /tmp (a killed
    // process leaves them behind); SIGKILL only if it has not exited 10 s later.
    private static void Stop(Process? process)
    {
        if (process is null || process.HasExited)
        {
            return;
        }

        if (Kill(process.Id, SigTerm) != 0 || !process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static Process StartDaemon(string socket, string state)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(typeof(HandoverBench).Assembly.Location);
        }

        foreach (var argument in new[] { "daemon", "--socket", socket, "--state-dir", state })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            Stop(process);
            throw new TimeoutException("a helper did not start within 60 s");
        }

        return process;
    }

    public static string Describe(Result r) => string.Create(CultureInfo.InvariantCulture,
        $"handover with {r.Clients} clients: {r.Served} requests served, {r.Failed} failed; {r.ServedDuringHandover} served during the " +
        $"{r.HandoverSeconds} s handover (second helper starting → first helper exited); max latency {r.MaxLatencyDuringHandoverMs} ms during it, " +
        $"{r.MaxLatencyMs} ms overall, p99 {r.P99LatencyMs} ms");
}
