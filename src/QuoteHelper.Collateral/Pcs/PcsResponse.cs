namespace QuoteHelper.Collateral.Pcs;

/// <summary>
/// A PCS/PCCS response as received: status code, the body byte for byte, its content type and the API headers of
/// <see cref="PcsHeaders.Forwarded"/> with their values as sent (chains still URL-encoded).
/// </summary>
public sealed class PcsResponse
{
    /// <summary>Creates a response.</summary>
    public PcsResponse(int statusCode, byte[] body, string? contentType, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        StatusCode = statusCode;
        Body = body;
        ContentType = contentType;
        Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The body, exactly as received.</summary>
    public byte[] Body { get; }

    /// <summary>Content-Type, or null.</summary>
    public string? ContentType { get; }

    /// <summary>API headers (case-insensitive names), values as sent.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>True when the status code is 200.</summary>
    public bool IsSuccess => StatusCode == 200;

    /// <summary>The header's value URL-decoded (chains arrive URL-encoded, dcap-quote.md §5.9), or null.</summary>
    public string? GetDecodedHeader(string name) =>
        Headers.TryGetValue(name, out var value) ? Uri.UnescapeDataString(value) : null;

    /// <summary>A text response with the given status (errors of the PCCS server).</summary>
    public static PcsResponse Text(int statusCode, string message) =>
        new(statusCode, System.Text.Encoding.UTF8.GetBytes(message), PcsContentTypes.Text);

    /// <summary>A copy with one header added or replaced.</summary>
    public PcsResponse WithHeader(string name, string value)
    {
        var headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { [name] = value };
        return new PcsResponse(StatusCode, Body, ContentType, headers);
    }
}
