using System.Buffers.Binary;
using System.CommandLine;
using QuoteHelper.Cli.Inspect;
using QuoteHelper.Sgx.Quotes;

namespace QuoteHelper.Cli.Commands;

/// <summary><c>quote-helper inspect FILE</c>: decodes a quote and its certificates.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The quote file (raw bytes)." };
        var json = CommonOptions.Json();
        var command = new Command("inspect", "Decode a quote: header, report body, signature data, QE report, certificates and their SGX extension.")
        {
            file, json,
        };
        command.SetGuardedAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            byte[] bytes;
            try
            {
                var info = new FileInfo(path);
                if (info.Exists && info.Length > QuoteLimits.MaxQuoteLength)
                {
                    await Console.Error.WriteLineAsync($"quote-helper inspect: {path} is {info.Length} bytes, above the {QuoteLimits.MaxQuoteLength}-byte cap for a quote.").ConfigureAwait(false);
                    return 2;
                }

                bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"quote-helper inspect: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            try
            {
                // v3 keeps its established output; v4/v5 (TDX, or v5 SGX) go through the reader for every version.
                var version = bytes.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : 0;
                var description = version is 4 or 5
                    ? QuoteDescriber.Describe(DcapQuote.Parse(bytes))
                    : QuoteDescriber.Describe(Quote.Parse(bytes));
                if (parse.GetValue(json))
                {
                    Console.Out.WriteLine(description.ToJsonString(CliJson.Indented));
                }
                else
                {
                    QuoteDescriber.WriteText(Console.Out, description);
                }

                return 0;
            }
            catch (QuoteFormatException e)
            {
                await Console.Error.WriteLineAsync($"quote-helper inspect: not a valid quote ({e.Reason}): {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }
}
