using System.CommandLine;
using QuoteHelper.Cli.Commands;

// The verbs live in Commands/CliRoot.cs, where the docs test can walk the same tree.
var root = CliRoot.Create();

// Signals belong to the hosts: the daemon drains on SIGTERM through its own host lifetime, which a forced
// termination timeout would cut short.
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"quote-helper: {error.Message}").ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("Run 'quote-helper --help' for usage.").ConfigureAwait(false);
    return CliErrors.Usage;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
