using System.CommandLine;
using QuoteHelper.Client;
using QuoteHelper.Daemon;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// One place that turns failures into a one-line message and a sysexits(3) exit code, so that no verb ends in a
/// stack trace: 64 usage, 65 bad input data, 69 service unavailable or taken, 74 I/O error, 75 try again later,
/// 77 permission denied, 78 bad configuration (state directory).
/// </summary>
internal static class CliErrors
{
    public const int Usage = 64;
    public const int DataError = 65;
    public const int Unavailable = 69;
    public const int IoError = 74;
    public const int TryAgain = 75;
    public const int NoPermission = 77;
    public const int Configuration = 78;

    /// <summary>
    /// The codes every verb shares, with their sysexits(3) names and when they are returned: the source of the table
    /// in docs/errors.md §7, which a test regenerates and compares (codes 0, 1 and 2 that a verb returns itself are
    /// documented per verb).
    /// </summary>
    public static IReadOnlyList<(int Code, string Name, string When)> Documented { get; } =
    [
        (Usage, "EX_USAGE", "command-line error: System.CommandLine parse errors (unknown option, missing required option, a value of the wrong type), and the verbs' own checks (bad hex, bad `--socket-mode`, `--metrics-listen` not an `http://` URL, a value out of range, no simulated CPU file for `quote`)"),
        (DataError, "EX_DATAERR", "bad input data (`InvalidDataException`, for example a malformed simulated CPU file or a file that is not a quote); a file or directory that does not exist"),
        (Unavailable, "EX_UNAVAILABLE", "the socket path is taken (a live service, or not a socket); an AESM call failed after the client's retries (`AesmCallException`: the message names the call, the AESM code and the `sgx_status_t`); a PCS/PCCS request failed"),
        (IoError, "EX_IOERR", "another I/O error"),
        (TryAgain, "EX_TEMPFAIL", "a timeout (`TimeoutException`): the state lock held for more than 30 s; in `bench handover`, a helper that did not start or hand over within 60 s"),
        (NoPermission, "EX_NOPERM", "permission denied (`UnauthorizedAccessException`), for example on the state or socket directory or the output file"),
        (Configuration, "EX_CONFIG", "the configuration cannot be used: `daemon`'s state directory (`platform.json` unreadable, invalid, or of another format) or DCAP library (`--backend hardware`); `bench verify --dcap-qvl` without the package or `node`"),
    ];

    /// <summary>Sets <paramref name="action"/> as the command's action, wrapped in the error mapping.</summary>
    public static void SetGuardedAction(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await action(parse, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Map(e) is { } code)
            {
                await Console.Error.WriteLineAsync($"quote-helper {command.Name}: {e.Message}").ConfigureAwait(false);
                return code;
            }
        });

    private static int? Map(Exception e) => e switch
    {
        CliUsageException => Usage,
        CliConfigurationException => Configuration,
        AddressInUseException or AesmCallException => Unavailable,
        InvalidDataException => DataError,
        TimeoutException => TryAgain,
        UnauthorizedAccessException => NoPermission,
        FileNotFoundException or DirectoryNotFoundException => DataError,
        IOException => IoError,
        _ => null,
    };
}

/// <summary>The daemon's configuration (its state directory) cannot be used: exit code 78.</summary>
internal sealed class CliConfigurationException(string message) : Exception(message);
