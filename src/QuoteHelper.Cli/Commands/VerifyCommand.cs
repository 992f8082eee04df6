using System.CommandLine;
using System.Text.Json.Nodes;
using QuoteHelper.Verification;
using QuoteHelper.Verification.Policy;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper verify QUOTE --collateral FILE</c>: the verification pipeline (docs/verification.md), then the
/// appraisal policy. Exit code 0: genuine and accepted; 1: genuine but rejected by the policy; 2: not genuine or not
/// verifiable.
/// </summary>
internal static class VerifyCommand
{
    public const int Accepted = 0;
    public const int RejectedByPolicy = 1;
    public const int NotVerified = 2;

    /// <summary>The pseudo-step reported when an input file cannot be read (the pipeline's steps are 1–16).</summary>
    public const int ReadInputsStep = 0;

    public static Command Create()
    {
        var inputs = new VerifyInputs();
        var pckChain = new Option<string?>("--pck-chain") { Description = "PEM PCK chain (leaf, CA, root) to use instead of the quote's certification data." };
        var json = CommonOptions.Json();
        var strict = new Option<bool>("--strict-expiry") { Description = "Expired collateral fails verification (dcap-qvl semantics) instead of setting collateralExpired (Intel semantics)." };
        var strictTime = new Option<bool>("--strict-time")
        {
            Description = "An evaluation time before a certificate's notBefore, a CRL's thisUpdate or a TCB Info / QE Identity issueDate fails verification " +
                          "(default: accepted, as Intel's QVL does).",
        };
        var mrEnclave = new Option<string?>("--mrenclave") { Description = "Expected MRENCLAVE (64 hex digits)." };
        var mrSigner = new Option<string?>("--mrsigner") { Description = "Expected MRSIGNER (64 hex digits)." };
        var isvProdId = new Option<ushort?>("--isv-prod-id") { Description = "Expected ISV product id." };
        var minIsvSvn = new Option<ushort?>("--min-isv-svn") { Description = "Minimum ISV SVN." };
        var reportData = new Option<string?>("--report-data") { Description = "Expected report data (hex, up to 64 bytes; zero-padded to 64)." };
        var allowDebug = new Option<bool>("--allow-debug") { Description = "Accept debug enclaves (unsafe)." };
        var allowExpired = new Option<bool>("--allow-expired-collateral") { Description = "Accept a result whose collateral was expired (unsafe)." };
        var acceptStatus = new Option<TcbStatus[]>("--accept-status")
        {
            Description = "Accepted TCB status (repeatable). Default: UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded.",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxAgeDays = new Option<double?>("--max-collateral-age-days") { Description = "Maximum collateral age in days (from the earliest TCB Info / QE Identity issueDate or PCK CRL thisUpdate)." };
        var command = new Command("verify", "Verify a DCAP quote against collateral (numbered pipeline, docs/verification.md), then appraise it with a policy. Exit 0 accepted, 1 rejected by policy, 2 not verified.");
        inputs.AddTo(command);
        foreach (var option in new Option[] { pckChain, json, strict, strictTime, mrEnclave, mrSigner, isvProdId, minIsvSvn, reportData, allowDebug, allowExpired, acceptStatus, maxAgeDays })
        {
            command.Options.Add(option);
        }

        command.SetGuardedAction((parse, cancellationToken) =>
        {
            var policy = new AppraisalPolicy
            {
                ExpectedMrEnclave = NullIfEmpty(CommonOptions.ParseHex(parse.GetValue(mrEnclave), 32, "--mrenclave"), 32, "--mrenclave"),
                ExpectedMrSigner = NullIfEmpty(CommonOptions.ParseHex(parse.GetValue(mrSigner), 32, "--mrsigner"), 32, "--mrsigner"),
                ExpectedIsvProdId = parse.GetValue(isvProdId),
                MinimumIsvSvn = parse.GetValue(minIsvSvn),
                ExpectedReportData = parse.GetValue(reportData) is { } rd ? CommonOptions.ParseHex(rd, 64, "--report-data") : null,
                AllowDebug = parse.GetValue(allowDebug),
                AllowExpiredCollateral = parse.GetValue(allowExpired),
                AcceptedStatuses = parse.GetValue(acceptStatus) is { Length: > 0 } statuses ? statuses.ToHashSet() : AppraisalPolicy.DefaultAcceptedStatuses,
                MaxCollateralAge = parse.GetValue(maxAgeDays) is { } days ? TimeSpan.FromDays(days) : null,
            };
            int code;
            JsonObject output;
            try
            {
                var (quote, collateral, options, at) = inputs.Load(parse, parse.GetValue(strict), parse.GetValue(pckChain), parse.GetValue(strictTime));
                var result = new QuoteVerifier(options).Verify(quote, collateral, at);
                var appraisal = Appraisal.Appraise(result, policy);
                output = Describe(result, appraisal);
                code = !result.IsVerified ? NotVerified : appraisal.Accepted ? Accepted : RejectedByPolicy;
            }
            catch (InvalidDataException e)
            {
                // Unreadable input is "not verifiable" (exit 2) with the reason, in the same output shape as every result.
                output = DescribeInputError(e.Message, parse.GetValue(inputs.At) ?? DateTimeOffset.UtcNow);
                code = NotVerified;
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(output.ToJsonString(CliJson.Indented));
            }
            else
            {
                Console.Out.WriteLine(Summary(output, code));
                Inspect.QuoteDescriber.WriteText(Console.Out, output);
            }

            return Task.FromResult(code);
        });
        return command;
    }

    private static byte[]? NullIfEmpty(byte[] value, int length, string name) =>
        value.Length == 0 ? null : value.Length == length ? value : throw new CliUsageException($"{name} must be exactly {length} bytes.");

    private static string Summary(JsonObject output, int code) => code switch
    {
        Accepted => $"ACCEPTED: genuine, status {output["status"]}, accepted by the policy.",
        RejectedByPolicy => $"REJECTED BY POLICY: genuine, status {output["status"]}; rule {output["rejectedBy"]}: {output["policyDetail"]}",
        _ => $"NOT VERIFIED: step {output["failedStep"]} ({output["failedStepName"]}), reason {output["reason"]}: {output["detail"]}",
    };

    /// <summary>The one JSON object of <c>verify --json</c>.</summary>
    public static JsonObject Describe(VerificationResult result, AppraisalResult appraisal)
    {
        var output = new JsonObject
        {
            ["verified"] = result.IsVerified,
            ["accepted"] = result.IsVerified && appraisal.Accepted,
            ["status"] = result.Status?.ToString(),
            ["platformTcbStatus"] = result.PlatformTcbStatus?.ToString(),
            ["qeTcbStatus"] = result.QeTcbStatus?.ToString(),
            ["advisoryIds"] = new JsonArray([.. result.AdvisoryIds.Select(id => (JsonNode)JsonValue.Create(id))]),
            ["collateralExpired"] = result.CollateralExpired,
            ["expiredCollateral"] = new JsonArray([.. result.ExpiredCollateral.Select(issue => (JsonNode)new JsonObject
            {
                ["item"] = issue.Item.ToString(),
                ["name"] = issue.Name,
                ["validFrom"] = CollateralValidityIssue.Format(issue.ValidFrom),
                ["validUntil"] = CollateralValidityIssue.Format(issue.ValidUntil),
                ["problem"] = issue.NotYetValid ? "notYetValid" : "expired",
            })]),
            ["failedStep"] = result.FailedStep is { } step ? (int)step : null,
            ["failedStepName"] = result.FailedStep?.ToString(),
            ["reason"] = result.FailureReason?.ToString(),
            ["detail"] = result.FailureDetail,
            ["rejectedBy"] = appraisal.RejectedBy?.ToString(),
            ["policyDetail"] = appraisal.Detail,
            ["evaluationTime"] = result.EvaluationTime.ToUnixTimeSeconds(),
            // Upper case, as in Intel's TCB Info and in inspect and demo.
            ["fmspc"] = result.Fmspc is { } fmspc ? Convert.ToHexString(fmspc) : null,
            ["tcbDate"] = result.TcbDate is { } tcbDate ? CollateralValidityIssue.Format(tcbDate) : null,
            ["tcbEvaluationDataNumber"] = result.TcbEvaluationDataNumber,
        };
        if (result.Quote is { } quote)
        {
            output["quoteVersion"] = quote.Version;
            output["teeType"] = quote.TeeType.ToString();
            output["report"] = quote.EnclaveReport is { } body
                ? Inspect.QuoteDescriber.DescribeBody(body)
                : Inspect.QuoteDescriber.DescribeTdBody(quote.TdReport!);
        }

        return output;
    }

    /// <summary>
    /// The result for inputs that could not be read (malformed collateral, an oversized quote, a bad root): every member
    /// of <see cref="Describe"/>, with <c>failedStep</c> 0 (<c>ReadInputs</c>), reason <c>InputMalformed</c> and the message.
    /// </summary>
    public static JsonObject DescribeInputError(string detail, DateTimeOffset at)
    {
        var output = Describe(new VerificationResult { EvaluationTime = at }, new AppraisalResult(AppraisalRule.NotVerified, "the inputs could not be read."));
        output["verified"] = false;
        output["accepted"] = false;
        output["failedStep"] = ReadInputsStep;
        output["failedStepName"] = "ReadInputs";
        output["reason"] = "InputMalformed";
        output["detail"] = detail;
        return output;
    }
}
