using System.CommandLine;
using QuoteHelper.Collateral.Pcs;
using QuoteHelper.Collateral.Simulation;
using QuoteHelper.Quoting.Simulation;
using QuoteHelper.Sgx.Quotes;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// <c>quote-helper collateral</c>: writes collateral as JSON in dcap-qvl's <c>QuoteCollateralV3</c> shape (the shape
/// of the shared vectors) — the simulated platform's (<c>--state-dir</c>), or what a quote needs fetched from a
/// PCS/PCCS (<c>--pccs</c>). docs/collateral.md.
/// </summary>
internal static class CollateralCommand
{
    public static Command Create()
    {
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory of the simulated platform: write its collateral." };
        var pccs = new Option<string?>("--pccs") { Description = "PCS/PCCS base URL (e.g. http://127.0.0.1:8081/): fetch the collateral --quote needs." };
        var quote = new Option<string?>("--quote") { Description = "The quote file (with --pccs)." };
        var output = new Option<string>("--out") { Description = "Where to write the collateral JSON.", Required = true };
        var rootOut = new Option<string?>("--root-out")
        {
            Description = "Also write the root certificate (DER) here: with --state-dir the platform's simulation root; with --pccs the root the " +
                          "server's issuer chains end in (trust that only for a simulated platform's server you run; for Intel's PCS keep verify's built-in Intel root).",
        };
        var create = StateDirectoryOptions.Create();
        var scenario = new Option<string?>("--scenario")
        {
            Description = "TCB status to put the simulated platform at: " + string.Join(", ", CollateralScenario.All.Select(s => s.Name)) +
                          ", or Platform=STATUS,Qe=STATUS[,PckRevoked]. Default UpToDate.",
        };
        var at = TimeArgument.Option("--at", "Generation time (documents are dated one hour before it; default now)");
        var command = new Command("collateral", "Write collateral JSON: the simulated platform's (--state-dir) or fetched for a quote (--pccs).")
        {
            stateDir, pccs, quote, output, rootOut, scenario, at, create,
        };
        command.Subcommands.Add(CollateralImportCommand.Create());
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var outPath = parse.GetValue(output)!;
            if (parse.GetValue(stateDir) is { } directory)
            {
                if (parse.GetValue(pccs) is not null || parse.GetValue(quote) is not null)
                {
                    throw new CliUsageException("--state-dir and --pccs/--quote exclude each other.");
                }

                var chosen = ParseScenario(parse.GetValue(scenario));
                var time = parse.GetValue(at) ?? DateTimeOffset.UtcNow;
                using var platform = StateDirectoryOptions.Open(directory, parse.GetValue(create));
                SimulatedCollateral collateral;
                try
                {
                    collateral = SimulatedCollateral.Create(platform, chosen, time);
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException(e.Message);
                }

                await File.WriteAllBytesAsync(outPath, QuoteCollateralJson.Serialize(collateral.ToQuoteCollateral()), cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(rootOut) is { } rootPath)
                {
                    await File.WriteAllBytesAsync(rootPath, collateral.RootCertificate, cancellationToken).ConfigureAwait(false);
                }

                Console.Out.WriteLine($"quote-helper collateral: {chosen.Name}, issued {SimulatedCollateral.FormatTime(collateral.IssueDate)}, " +
                    $"next update {SimulatedCollateral.FormatTime(collateral.NextUpdate)} -> {outPath}");
                return 0;
            }

            if (parse.GetValue(pccs) is not { } url || parse.GetValue(quote) is not { } quotePath)
            {
                throw new CliUsageException("Give --state-dir DIR, or --pccs URL with --quote QUOTE.");
            }

            if (parse.GetValue(scenario) is not null || parse.GetValue(at) is not null || parse.GetValue(create))
            {
                throw new CliUsageException("--scenario, --at and --create apply to --state-dir only.");
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress))
            {
                throw new CliUsageException($"--pccs must be an absolute URL, got '{url}'.");
            }

            var info = new FileInfo(quotePath);
            if (info.Exists && info.Length > QuoteLimits.MaxQuoteLength)
            {
                throw new InvalidDataException($"{quotePath} is {info.Length} bytes, above the {QuoteLimits.MaxQuoteLength}-byte cap for a quote.");
            }

            var bytes = await File.ReadAllBytesAsync(quotePath, cancellationToken).ConfigureAwait(false);
            try
            {
                using var client = new PcsClient(new PcsClientOptions { BaseAddress = baseAddress });
                var fetched = await client.GetCollateralAsync(bytes, cancellationToken).ConfigureAwait(false);
                await File.WriteAllBytesAsync(outPath, QuoteCollateralJson.Serialize(fetched), cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(rootOut) is { } rootPath)
                {
                    await File.WriteAllBytesAsync(rootPath, ChainRoot(fetched.TcbInfoIssuerChain), cancellationToken).ConfigureAwait(false);
                }

                Console.Out.WriteLine($"quote-helper collateral: fetched from {client.Options.BaseAddress} -> {outPath}");
                return 0;
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message);
            }
            catch (PcsException e) when (e.Reason == PcsError.UnsupportedQuote)
            {
                throw new InvalidDataException(e.Message, e);
            }
            catch (PcsException e)
            {
                await Console.Error.WriteLineAsync($"quote-helper collateral: {e.Reason}: {e.Message}").ConfigureAwait(false);
                return CliErrors.Unavailable;
            }
        });
        return command;
    }

    // The self-signed certificate that ends the server's TCB issuer chain: how a relying party of a simulated
    // platform (whose root is made per platform) learns the root from the server it trusts (deploy/README.md).
    private static byte[] ChainRoot(string issuerChainPem)
    {
        var chain = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        chain.ImportFromPem(issuerChainPem);
        try
        {
            return chain.FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))?.RawData
                ?? throw new InvalidDataException("The server's TCB info issuer chain holds no self-signed root certificate for --root-out.");
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }

    internal static CollateralScenario ParseScenario(string? name)
    {
        try
        {
            return name is null ? CollateralScenario.UpToDate : CollateralScenario.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(e.Message);
        }
    }
}
