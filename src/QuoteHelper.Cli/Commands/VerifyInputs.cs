using System.CommandLine;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Cli.Commands;

/// <summary>Inputs shared by <c>verify</c> and <c>bench verify</c>: the quote, collateral, root and time.</summary>
internal sealed class VerifyInputs
{
    public Argument<string> Quote { get; } = new("QUOTE") { Description = "The quote file (raw bytes, v3/v4/v5)." };
    public Option<string> Collateral { get; } = new("--collateral") { Description = "Collateral JSON (dcap-qvl QuoteCollateralV3 shape); 'collateral import' builds it from PCS/PCCS downloads.", Required = true };
    public Option<string?> Root { get; } = new("--root") { Description = "Trusted root certificate (DER or PEM). Default: the Intel SGX Root CA." };
    public Option<DateTimeOffset?> At { get; } = TimeArgument.Option("--at", "Evaluation time (default now)");

    public void AddTo(Command command)
    {
        command.Arguments.Add(Quote);
        command.Options.Add(Collateral);
        command.Options.Add(Root);
        command.Options.Add(At);
    }

    /// <exception cref="InvalidDataException">A file is too large or its content is malformed (exit code 65).</exception>
    public (byte[] Quote, QuoteCollateral Collateral, QuoteVerifierOptions Options, DateTimeOffset At) Load(
        ParseResult parse, bool strict, string? pckChainPath, bool strictTime = false)
    {
        var quote = CommonOptions.ReadCapped(parse.GetValue(Quote)!, QuoteLimits.MaxQuoteLength);
        QuoteCollateral collateral;
        try
        {
            collateral = QuoteCollateralJson.Parse(CommonOptions.ReadCapped(parse.GetValue(Collateral)!, CollateralLimits.MaxDocumentLength));
        }
        catch (CollateralFormatException e)
        {
            throw new InvalidDataException($"collateral ({e.Reason}): {e.Message}", e);
        }

        if (pckChainPath is not null)
        {
            collateral = collateral with { PckCertificateChain = File.ReadAllText(pckChainPath) };
        }

        byte[]? root = null;
        if (parse.GetValue(Root) is { } rootPath)
        {
            try
            {
                root = QuoteVerifierOptions.LoadRoot(CommonOptions.ReadCapped(rootPath, 64 * 1024));
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                throw new InvalidDataException($"--root {rootPath} is not a DER or PEM certificate: {e.Message}", e);
            }
        }

        // The host reads the clock; the library never does (house-style habit 8).
        var at = parse.GetValue(At) ?? DateTimeOffset.UtcNow;
        return (quote, collateral, new QuoteVerifierOptions { TrustedRootDer = root, StrictExpiry = strict, StrictValidityStart = strictTime }, at);
    }
}
