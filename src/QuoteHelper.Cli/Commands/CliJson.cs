using System.Text.Encodings.Web;
using System.Text.Json;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// How the CLI prints JSON (<c>--json</c> of every verb). The default System.Text.Json encoder escapes every character
/// that is unsafe inside HTML (<c>'</c> → <c>\u0027</c>, <c>+</c>, <c>&lt;</c>, <c>&amp;</c>, non-ASCII), which made
/// messages such as "chain root 'X' is not the trusted root" hard to read. The relaxed encoder is safe here: this
/// output goes to a terminal, a file or a JSON parser, never into an HTML page or a script block, and it still escapes
/// what JSON itself requires (quotes, backslashes, control characters), so every output stays valid JSON.
/// </summary>
internal static class CliJson
{
    /// <summary>Indented, relaxed escaping: for the JSON objects the verbs print.</summary>
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The bench reports' source-generated context with relaxed escaping (compact, as before).</summary>
    public static BenchJsonContext Bench { get; } = new(new JsonSerializerOptions(BenchJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
