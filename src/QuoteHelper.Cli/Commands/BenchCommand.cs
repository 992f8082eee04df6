using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QuoteHelper.Cli.Bench;
using QuoteHelper.Client;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Cli.Commands;

/// <summary><c>quote-helper bench quotes</c>: a load generator for a running helper (BENCHMARKS.md).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks (see BENCHMARKS.md).");
        bench.Subcommands.Add(CreateQuotes());
        bench.Subcommands.Add(CreateHandover());
        bench.Subcommands.Add(BenchVerifyCommand.Create());
        return bench;
    }

    private static Command CreateHandover()
    {
        var clients = new Option<int>("--clients") { Description = "Concurrent Intel-like clients (blocking calls, no retries).", DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { Description = "Load before and after the handover.", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var command = new Command("handover", "Replace a helper under load by a second one on the same socket and state directory; count every request.")
        {
            clients, seconds, json,
        };
        command.SetGuardedAction((parse, _) =>
        {
            var result = Bench.HandoverBench.Run(Math.Max(1, parse.GetValue(clients)), TimeSpan.FromSeconds(parse.GetValue(seconds)));
            Console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(result, CliJson.Bench.Result)
                : Bench.HandoverBench.Describe(result));
            return Task.FromResult(result.Failed == 0 ? 0 : 1);
        });
        return command;
    }

    private static Command CreateQuotes()
    {
        var socket = CommonOptions.Socket();
        var clients = new Option<int>("--clients") { Description = "Concurrent clients.", DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { Description = "Measured duration.", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "Unmeasured warm-up seconds.", DefaultValueFactory = _ => 2 };
        var json = CommonOptions.Json();
        var command = new Command("quotes",
            "N clients repeat a workload's GetQuoteEx with a fresh simulated report; reports quotes/s, latency, errors, the daemon's CPU per quote and the in-run ECDSA sign reference.")
        {
            socket, clients, seconds, warmup, json,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var socketPath = Path.GetFullPath(parse.GetValue(socket)!);
            var clientCount = Math.Max(1, parse.GetValue(clients));
            var duration = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var enclave = SimulatedEnclave.ForSocket(socketPath);
            var client = new AesmClient(new AesmClientOptions { SocketPath = socketPath });
            var keyId = AttestationKeyId.DefaultEcdsaP256;
            var init = (await client.InitQuoteExAsync(keyId, true, cancellationToken).ConfigureAwait(false)).GetValueOrThrow(Sgx.Errors.QuoteExCall.InitQuoteEx);
            var target = TargetInfo.Read(init.TargetInfo);
            var size = (await client.GetQuoteSizeExAsync(keyId, cancellationToken).ConfigureAwait(false)).GetValueOrThrow(Sgx.Errors.QuoteExCall.GetQuoteSizeEx);

            // The reference is measured on one thread while no load runs, before (and after) the run: the best of
            // three half-second runs each time, because a shared 2-core machine only ever slows a run down.
            var reference = ReferenceRate.BestSignsPerSecond();

            Run(client, enclave, target, keyId, size, clientCount, TimeSpan.FromSeconds(parse.GetValue(warmup)), null, cancellationToken);
            var pid = ProcessStats.ServerPid(socketPath);
            var cpuBefore = pid is { } p1 ? ProcessStats.CpuSeconds(p1) : null;
            var result = Run(client, enclave, target, keyId, size, clientCount, duration, new List<long>[clientCount], cancellationToken);
            var cpuAfter = pid is { } p2 ? ProcessStats.CpuSeconds(p2) : null;
            var rss = pid is { } p3 ? ProcessStats.ResidentMiB(p3) : null;

            // And again after it: background work (JIT, GC) in either process can depress one measurement; the
            // higher of the two is the fairer (and for us the harder) reference.
            reference = Math.Max(reference, ReferenceRate.BestSignsPerSecond());

            var report = new BenchQuotesReport
            {
                Clients = clientCount,
                Seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                Quotes = result.Quotes,
                Errors = result.Errors,
                QuotesPerSecond = Math.Round(result.Quotes / result.Elapsed.TotalSeconds, 1),
                P50Ms = Math.Round(result.Percentile(0.50), 3),
                P99Ms = Math.Round(result.Percentile(0.99), 3),
                MaxMs = Math.Round(result.Percentile(1.0), 3),
                ReferenceSignsPerSecond = Math.Round(reference, 1),
                DaemonPid = pid,
                DaemonCpuSeconds = cpuBefore is { } b && cpuAfter is { } a ? Math.Round(a - b, 2) : null,
                DaemonRssMiB = rss is { } r ? Math.Round(r, 1) : null,
            };
            report = report with
            {
                RatioToReference = Math.Round(report.QuotesPerSecond / reference, 3),
                QuotesPerDaemonCpuSecond = report.DaemonCpuSeconds is { } cpu && cpu > 0 ? Math.Round(result.Quotes / cpu, 1) : null,
            };
            report = report with
            {
                DaemonCpuRatioToReference = report.QuotesPerDaemonCpuSecond is { } q ? Math.Round(q / reference, 3) : null,
            };

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, CliJson.Bench.BenchQuotesReport));
            }
            else
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{report.Quotes} quotes in {report.Seconds} s with {clientCount} clients: {report.QuotesPerSecond} quotes/s " +
                    $"({report.RatioToReference} × the {report.ReferenceSignsPerSecond} signs/s reference), p50 {report.P50Ms} ms, " +
                    $"p99 {report.P99Ms} ms, max {report.MaxMs} ms, {report.Errors} errors; daemon pid {report.DaemonPid}: " +
                    $"{report.QuotesPerDaemonCpuSecond} quotes per CPU-second ({report.DaemonCpuRatioToReference} × reference), RSS {report.DaemonRssMiB} MiB"));
            }

            return report.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    // Each client is a thread making blocking calls, as an application linked to Intel's libsgx_quote_ex does; the
    // generator then spends its CPU on the workload's real steps (report, request, reply), not on an event loop.
    private static LoadResult Run(AesmClient client, SimulatedEnclave enclave, TargetInfo target, AttestationKeyId keyId,
        uint size, int clients, TimeSpan duration, List<long>[]? latencies, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var quotes = 0L;
        var errors = 0L;
        var threads = Enumerable.Range(0, clients).Select(index => new Thread(() =>
        {
            var mine = latencies is null ? null : latencies[index] = new List<long>(4096);
            var data = new byte[64];
            BitConverter.TryWriteBytes(data, index);
            while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                var report = enclave.CreateReport(target, data).ToArray();
                var reply = client.GetQuoteEx(report, keyId, null, size);
                mine?.Add(Stopwatch.GetTimestamp() - t0);
                if (reply.IsSuccess)
                {
                    Interlocked.Increment(ref quotes);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }) { IsBackground = true, Name = $"bench-client-{index}" }).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var all = latencies?.Where(l => l is not null).SelectMany(l => l).ToArray() ?? [];
        Array.Sort(all);
        return new LoadResult(quotes, errors, Stopwatch.GetElapsedTime(started), all);
    }

    private sealed record LoadResult(long Quotes, long Errors, TimeSpan Elapsed, long[] SortedTicks)
    {
        /// <summary>Nearest-rank percentile, in milliseconds.</summary>
        public double Percentile(double p) => ProcessStats.PercentileMs(SortedTicks, p);
    }
}

/// <summary>The JSON printed by <c>bench quotes --json</c>.</summary>
internal sealed record BenchQuotesReport
{
    public int Clients { get; init; }
    public double Seconds { get; init; }
    public long Quotes { get; init; }
    public long Errors { get; init; }
    public double QuotesPerSecond { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    public double MaxMs { get; init; }
    public double ReferenceSignsPerSecond { get; init; }
    public double RatioToReference { get; init; }
    public int? DaemonPid { get; init; }
    public double? DaemonCpuSeconds { get; init; }
    public double? QuotesPerDaemonCpuSecond { get; init; }
    public double? DaemonCpuRatioToReference { get; init; }
    public double? DaemonRssMiB { get; init; }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(BenchQuotesReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(QuoteHelper.Cli.Bench.HandoverBench.Result))]
[System.Text.Json.Serialization.JsonSerializable(typeof(BenchVerifyReport))]
internal sealed partial class BenchJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
