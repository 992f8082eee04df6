using System.CommandLine;
using QuoteHelper.Client;
using QuoteHelper.Daemon;
using QuoteHelper.Quoting.Simulation;

namespace QuoteHelper.Cli.Commands;

/// <summary>
/// One place that turns failures into a one-line message and a sysexits(3) exit code, so that no verb ends in a
/// stack trace: 64 usage, 65 bad input data, 66 no input (no simulated platform where a reader looks), 69 service
/// unavailable or taken, 74 I/O error, 75 try again later, 77 permission denied, 78 bad configuration (state directory).
/// </summary>
internal static class CliErrors
{
    public const int Usage = 64;
    public const int DataError = 65;
    public const int NoInput = 66;
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
        (Usage, "EX_USAGE", "command-line error: System.CommandLine parse errors (unknown option, missing required option, a value of the wrong type), and the verbs' own checks (bad hex, bad `--socket-mode`, `--metrics-listen` not an `http://` URL, a non-loopback `pccs --listen` without `--allow-remote`, a value out of range, an `--at` that is neither Unix seconds nor RFC 3339 with an offset)"),
        (DataError, "EX_DATAERR", "bad input data (`InvalidDataException`, for example a malformed simulated CPU file, a file that is not a quote, or a malformed `collateral import` input: the message names the option); a file or directory that does not exist"),
        (NoInput, "EX_NOINPUT", "a reader of the simulated platform (`collateral --state-dir`, `pccs --state-dir`) found none: the directory is missing, empty or has no `platform.json`, and `--create` was not given (`StateDirectoryException` `NoPlatform`)"),
        (Unavailable, "EX_UNAVAILABLE", "the socket path is taken (a live service, or not a socket); `daemon --metrics-listen`: the address is in use or not of this host; `quote`: no socket at the path or nobody listening on it, reported at once with the path (§5.1), or an AESM call failed after the client's recovery (`AesmCallException`: the message names the call, the AESM code or the connect error, and the `sgx_status_t`); a PCS/PCCS request failed"),
        (IoError, "EX_IOERR", "another I/O error"),
        (TryAgain, "EX_TEMPFAIL", "a timeout (`TimeoutException`): the state lock held by another process for more than 10 s (never a read-only file system: that is 78); in `bench handover`, a helper that did not start or hand over within 60 s"),
        (NoPermission, "EX_NOPERM", "permission denied (`UnauthorizedAccessException`), for example on the state or socket directory or the output file; `daemon --metrics-listen` on a port below 1024 without privileges"),
        (Configuration, "EX_CONFIG", "the configuration cannot be used: `daemon`'s state directory (`platform.json` unreadable, invalid, or of another format) or DCAP library (`--backend hardware`); any verb: `--state-dir` is a regular file (`NotADirectory`), or a writer (the daemon, a reader with `--create`) finds it on a read-only file system (`ReadOnlyFileSystem`, the message names the path and EROFS); `bench verify --dcap-qvl` without the package or `node`"),
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
        CliNoInputException => NoInput,
        StateDirectoryException { Error: StateDirectoryError.NoPlatform } => NoInput,
        StateDirectoryException => Configuration,
        AddressInUseException or AesmCallException or CliUnavailableException => Unavailable,
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

/// <summary>An input that must exist does not (a reader's simulated platform): exit code 66 (EX_NOINPUT).</summary>
internal sealed class CliNoInputException(string message) : Exception(message);

/// <summary>Something the verb needs is taken or not there (for example the metrics port): exit code 69.</summary>
internal sealed class CliUnavailableException(string message) : Exception(message);
