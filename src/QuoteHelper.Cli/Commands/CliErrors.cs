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
