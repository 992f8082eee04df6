using System.CommandLine;
using System.Globalization;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// Parses the time options (<c>--at</c>): Unix seconds, or an RFC 3339 / ISO 8601 date-time with an explicit offset
/// (<c>2025-07-19T10:01:17Z</c>, <c>2025-07-19T12:01:17+02:00</c>, fractions of a second allowed). A time without an
/// offset is refused rather than read in the machine's time zone: the same command must mean the same instant anywhere.
/// </summary>
internal static class TimeArgument
{
    public const string Forms = "Unix seconds (1752919277) or an RFC 3339 time with an offset (2025-07-19T10:01:17Z, 2025-07-19T12:01:17+02:00)";

    private static readonly string[] s_formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyyMMdd'T'HHmmssK", "yyyyMMdd'T'HHmmK",
    ];

    /// <summary>An option of this kind, e.g. <c>Option("--at", "Evaluation time")</c>.</summary>
    public static Option<DateTimeOffset?> Option(string name, string description) => new(name)
    {
        Description = $"{description}: {Forms}.",
        HelpName = "TIME",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (TryParse(text, out var time, out var error))
            {
                return time;
            }

            result.AddError($"{name} {error}");
            return null;
        },
    };

    /// <summary>Parses one value; on failure <paramref name="error"/> says what was wrong and what is accepted.</summary>
    public static bool TryParse(string text, out DateTimeOffset time, out string error)
    {
        time = default;
        error = string.Empty;
        var value = text.Trim();
        if (value.Length > 0 && value.All(c => char.IsAsciiDigit(c) || c == '-') && value.LastIndexOf('-') <= 0)
        {
            if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) &&
                seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                time = DateTimeOffset.FromUnixTimeSeconds(seconds);
                return true;
            }

            error = $"'{text}' is out of range: Unix seconds from {DateTimeOffset.MinValue.ToUnixTimeSeconds()} to {DateTimeOffset.MaxValue.ToUnixTimeSeconds()}.";
            return false;
        }

        // RFC 3339 allows lower-case 't' and 'z'; K accepts "Z", "+hh:mm" and nothing, so a missing offset is refused below.
        var normalised = value.Replace('t', 'T').Replace('z', 'Z');
        var isTime = DateTimeOffset.TryParseExact(normalised, s_formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed);
        if (isTime && HasOffset(normalised))
        {
            time = parsed;
            return true;
        }

        error = isTime ? $"'{text}' has no offset: add Z for UTC (or +hh:mm)." : $"'{text}' is not a time: give {Forms}.";
        return false;
    }

    private static bool HasOffset(string value) =>
        value.EndsWith('Z') || (value.Length > 6 && (value[^6] is '+' or '-') && value[^3] == ':');
}
