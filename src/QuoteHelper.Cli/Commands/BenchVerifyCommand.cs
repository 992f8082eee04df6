using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QuoteHelper.Cli.Bench;
using QuoteHelper.Verification;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper bench verify QUOTE --collateral FILE --seconds S</c>: verifications per second of one quote with warm
/// collateral caches on one thread, against the raw ECDSA P-256 VerifyHash rate of one core measured in the same run
/// (issue 3, performance: the target is ≥ 0.4 × that rate). With <c>--dcap-qvl DIR</c> it then times npm
/// <c>@phala/dcap-qvl</c> on the same inputs for as long, and reports how many times faster ours is (target ≥ 10×).
/// </summary>
internal static class BenchVerifyCommand
{
    public static Command Create()
    {
        var inputs = new VerifyInputs();
        var seconds = new Option<double>("--seconds") { Description = "Measured duration.", DefaultValueFactory = _ => 5 };
        var json = CommonOptions.Json();
        var dcapQvl = new Option<string?>("--dcap-qvl")
        {
            Description = "Also time npm @phala/dcap-qvl in this run, for as long: a directory with dcap-qvl.js and its node_modules " +
                "(tests/QuoteHelper.Collateral.Tests/dcap-qvl after its install.sh).",
        };
        var command = new Command("verify", "Verifications per second of one quote with warm caches (single thread), and the in-run ECDSA verify reference.");
        inputs.AddTo(command);
        command.Options.Add(seconds);
        command.Options.Add(json);
        command.Options.Add(dcapQvl);
        command.SetGuardedAction((parse, cancellationToken) =>
        {
            var (quote, collateral, options, at) = inputs.Load(parse, strict: false, pckChainPath: null);
            var verifier = new QuoteVerifier(options);
            var first = verifier.Verify(quote, collateral, at);

            // Reference before and after the run; the higher counts (a shared machine only ever slows a run down).
            var reference = ReferenceRate.BestVerifiesPerSecond();
            var duration = TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(seconds)));
            for (var i = 0; i < 200; i++)
            {
                verifier.Verify(quote, collateral, at);
            }

            var count = 0L;
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started) < duration && !cancellationToken.IsCancellationRequested)
            {
                for (var i = 0; i < 50; i++)
                {
                    verifier.Verify(quote, collateral, at);
                }

                count += 50;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            reference = Math.Max(reference, ReferenceRate.BestVerifiesPerSecond());
            var rate = count / elapsed.TotalSeconds;
            var other = parse.GetValue(dcapQvl) is { } directory
                ? DcapQvlRun.Measure(directory, parse.GetValue(inputs.Quote)!, parse.GetValue(inputs.Collateral)!,
                    options.TrustedRootDer ?? IntelRoot.Der, at, duration)
                : null;
            var report = new BenchVerifyReport
            {
                Seconds = Math.Round(elapsed.TotalSeconds, 3),
                Verifications = count,
                VerificationsPerSecond = Math.Round(rate, 1),
                ReferenceVerifiesPerSecond = Math.Round(reference, 1),
                RatioToReference = Math.Round(rate / reference, 3),
                Verified = first.IsVerified,
                Status = first.Status?.ToString(),
                FailedStep = first.FailedStep is { } step ? (int)step : null,
                Reason = first.FailureReason?.ToString(),
                DcapQvlVerificationsPerSecond = other is null ? null : Math.Round(other.VerificationsPerSecond, 1),
                DcapQvlVerifications = other?.Verifications,
                DcapQvlStatus = other is null ? null : other.Status ?? "error: " + other.Error,
                TimesFasterThanDcapQvl = other is { VerificationsPerSecond: > 0 } ? Math.Round(rate / other.VerificationsPerSecond, 1) : null,
            };
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, CliJson.Bench.BenchVerifyReport));
            }
            else
            {
                var outcome = first.IsVerified
                    ? first.Status.ToString()
                    : string.Create(CultureInfo.InvariantCulture, $"failed at step {(int?)first.FailedStep} ({first.FailureReason})");
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{report.Verifications} verifications in {report.Seconds} s: {report.VerificationsPerSecond}/s ({report.RatioToReference} × the {report.ReferenceVerifiesPerSecond} ECDSA verifies/s reference); result: {outcome}"));
                if (other is not null)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"@phala/dcap-qvl, same inputs, same run: {report.DcapQvlVerificationsPerSecond}/s ({report.DcapQvlStatus}); ours is {report.TimesFasterThanDcapQvl} × faster"));
                }
            }

            return Task.FromResult(0);
        });
        return command;
    }
}

/// <summary>The JSON printed by <c>bench verify --json</c>.</summary>
internal sealed record BenchVerifyReport
{
    public double Seconds { get; init; }
    public long Verifications { get; init; }
    public double VerificationsPerSecond { get; init; }
    public double ReferenceVerifiesPerSecond { get; init; }
    public double RatioToReference { get; init; }
    public bool Verified { get; init; }
    public string? Status { get; init; }
    public int? FailedStep { get; init; }
    public string? Reason { get; init; }

    /// <summary>With --dcap-qvl: its rate on the same inputs in this run.</summary>
    public double? DcapQvlVerificationsPerSecond { get; init; }

    /// <summary>With --dcap-qvl: how many verifications it made.</summary>
    public long? DcapQvlVerifications { get; init; }

    /// <summary>With --dcap-qvl: its verdict (status name, or "error: …").</summary>
    public string? DcapQvlStatus { get; init; }

    /// <summary>With --dcap-qvl: our rate over its rate.</summary>
    public double? TimesFasterThanDcapQvl { get; init; }
}
