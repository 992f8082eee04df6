using System.Globalization;
using System.Text.Json;
using QuoteHelper.Verification.Collateral;

namespace QuoteHelper.Verification.Internal;

/// <summary>Readers for the verified TCB Info / QE Identity JSON; every problem is an <see cref="InvalidDataException"/>.</summary>
internal static class SignedJson
{
    public static JsonDocument Open(byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("not well-formed JSON: " + e.Message, e);
        }
    }

    public static JsonElement Get(JsonElement parent, string name, JsonValueKind kind)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            throw new InvalidDataException($"member '{name}' is missing");
        }

        if (value.ValueKind != kind && !(kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False))
        {
            throw new InvalidDataException($"member '{name}' is not {kind}");
        }

        return value;
    }

    public static bool Has(JsonElement parent, string name) => parent.TryGetProperty(name, out _);

    public static int Int(JsonElement parent, string name, int max = int.MaxValue)
    {
        var value = Get(parent, name, JsonValueKind.Number);
        if (!value.TryGetInt32(out var result) || result < 0 || result > max)
        {
            throw new InvalidDataException($"member '{name}' is not an integer in 0..{max}");
        }

        return result;
    }

    public static string Text(JsonElement parent, string name) => Get(parent, name, JsonValueKind.String).GetString()!;

    public static byte[] HexBytes(JsonElement parent, string name, int length)
    {
        var text = Text(parent, name);
        if (text.Length != 2 * length)
        {
            throw new InvalidDataException($"member '{name}' is not {length} bytes of hex");
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"member '{name}' is not hex", e);
        }
    }

    public static DateTimeOffset Date(JsonElement parent, string name)
    {
        var text = Text(parent, name);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            throw new InvalidDataException($"member '{name}' is not an ISO 8601 date");
        }

        return date;
    }

    public static TcbStatus Status(JsonElement parent, string name = "tcbStatus")
    {
        var text = Text(parent, name);
        // Any other string is a format error in QVL (dcap-quote.md §5.4).
        return text switch
        {
            "UpToDate" => TcbStatus.UpToDate,
            "SWHardeningNeeded" => TcbStatus.SWHardeningNeeded,
            "ConfigurationNeeded" => TcbStatus.ConfigurationNeeded,
            "ConfigurationAndSWHardeningNeeded" => TcbStatus.ConfigurationAndSWHardeningNeeded,
            "OutOfDate" => TcbStatus.OutOfDate,
            "OutOfDateConfigurationNeeded" => TcbStatus.OutOfDateConfigurationNeeded,
            "Revoked" => TcbStatus.Revoked,
            _ => throw new InvalidDataException($"unknown tcbStatus '{text}'"),
        };
    }

    public static string[] Advisories(JsonElement level)
    {
        if (!level.TryGetProperty("advisoryIDs", out var ids))
        {
            return [];
        }

        if (ids.ValueKind != JsonValueKind.Array || ids.GetArrayLength() > 1024)
        {
            throw new InvalidDataException("advisoryIDs is not an array of at most 1024 strings");
        }

        return [.. ids.EnumerateArray().Select(id => id.ValueKind == JsonValueKind.String ? id.GetString()! : throw new InvalidDataException("advisory ID is not a string"))];
    }

    internal static int CheckedCount(JsonElement array, string name, int max)
    {
        var count = array.GetArrayLength();
        if (count == 0 || count > max)
        {
            throw new InvalidDataException($"'{name}' must hold 1..{max} entries");
        }

        return count;
    }

    internal const int MaxLevels = CollateralLimits.MaxSignedJsonLength / 64;
}
