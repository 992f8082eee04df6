using System.CommandLine;
using System.Globalization;

namespace QuoteHelper.Cli.Commands;

/// <summary>Options shared by several verbs, and parsing helpers.</summary>
internal static class CommonOptions
{
    public const string DefaultSocketPath = "/var/run/aesmd/aesm.socket";

    public static Option<string> Socket() => new("--socket")
    {
        Description = "Path of the AESM Unix socket.",
        DefaultValueFactory = _ => DefaultSocketPath,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of text." };

    public static byte[] ParseHex(string? value, int maxLength, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            return [];
        }

        var text = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new CliUsageException($"{name} must be hexadecimal, got '{value}'.");
        }

        return bytes.Length <= maxLength
            ? bytes
            : throw new CliUsageException($"{name} is at most {maxLength} bytes ({maxLength * 2} hex digits), got {bytes.Length}.");
    }

    public static byte[] ParseFixedHex(string? value, int length, string name)
    {
        var bytes = ParseHex(value, length, name);
        return bytes.Length == length ? bytes : throw new CliUsageException($"{name} must be exactly {length} bytes ({length * 2} hex digits).");
    }

    public static UnixFileMode ParseMode(string value, string name = "--socket-mode")
    {
        try
        {
            var mode = Convert.ToInt32(value, 8);
            return mode is >= 0 and <= 0x1FF ? (UnixFileMode)mode : throw new CliUsageException($"{name} must be an octal mode such as 0666, got '{value}'.");
        }
        catch (FormatException)
        {
            throw new CliUsageException($"{name} must be an octal mode such as 0666, got '{value}'.");
        }
    }

    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an input file whose size the verb bounds: a missing file and one above <paramref name="cap"/> are
    /// refused before anything is read. <paramref name="option"/>, when given, starts the message ("--pck-crl: …").
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/> (exit code 65).</exception>
    /// <exception cref="InvalidDataException">The file is larger than <paramref name="cap"/> (exit code 65).</exception>
    public static byte[] ReadCapped(string path, int cap, string? option = null)
    {
        var prefix = option is null ? string.Empty : option + ": ";
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{prefix}{path} does not exist.", path);
        }

        return info.Length > cap
            ? throw new InvalidDataException($"{prefix}{path} is {info.Length} bytes, above the {cap}-byte cap.")
            : File.ReadAllBytes(path);
    }
}

/// <summary>A command-line mistake: printed as one line, exit code 64 (EX_USAGE).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
