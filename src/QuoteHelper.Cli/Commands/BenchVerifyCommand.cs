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
/// (issue 3, performance: the target is ≥ 0.4 × that rate).
/// </summary>
internal static class BenchVerifyCommand
{
    public static Command Create()
    {
        var inputs = new VerifyInputs();
        var seconds = new Option<double>("--seconds") { Description = "Measured duration.", DefaultValueFactory = _ => 5 };
        var json = CommonOptions.Json();
        var command = new Command("verify", "Verifications per second of one quote with warm caches (single thread), and the in-run ECDSA verify reference.");
        inputs.AddTo(command);
        command.Options.Add(seconds);
        command.Options.Add(json);
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
            };
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, BenchVerifyJsonContext.Default.BenchVerifyReport));
            }
            else
            {
                var outcome = first.IsVerified
                    ? first.Status.ToString()
                    : string.Create(CultureInfo.InvariantCulture, $"failed at step {(int?)first.FailedStep} ({first.FailureReason})");
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{report.Verifications} verifications in {report.Seconds} s: {report.VerificationsPerSecond}/s ({report.RatioToReference} × the {report.ReferenceVerifiesPerSecond} ECDSA verifies/s reference); result: {outcome}"));
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
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(BenchVerifyReport))]
internal sealed partial class BenchVerifyJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
