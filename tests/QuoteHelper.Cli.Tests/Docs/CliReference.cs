using System.Collections;
using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.Globalization;
using System.Text;
using QuoteHelper.Cli.Commands;

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>
/// Markdown generated from the code: docs/cli.md's verb and option reference (from the System.CommandLine tree
/// <see cref="CliRoot.Create"/> builds) and docs/errors.md §7's exit codes (from <see cref="CliErrors.Documented"/>).
/// Hand-written pages cannot list what the code defines without drifting; these sections cannot.
/// </summary>
internal static class CliReference
{
    public const string CliSection = "cli-reference";
    public const string ExitCodeSection = "exit-codes";

    public static string Markdown(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var text = new StringBuilder();
        text.Append("| verb | what it does |\n|---|---|\n");
        foreach (var (path, command) in Walk(root, []).Skip(1))
        {
            text.Append(CultureInfo.InvariantCulture, $"| [`{string.Join(' ', path)}`](#{Anchor(path)}) | {Cell(command.Description)} |\n");
        }

        foreach (var (path, command) in Walk(root, []))
        {
            text.Append('\n');
            text.Append(path.Count == 0 ? "### `quote-helper` (no verb)\n\n" : $"### `{string.Join(' ', path)}`\n\n");
            text.Append(path.Count == 0 ? "Options of the tool itself (`--help` also works after any verb)." : Sentence(command.Description)).Append('\n');
            var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
            if (path.Count > 0 && subcommands.Count > 0)
            {
                text.Append("\nSubverbs: ").AppendJoin(", ", subcommands.Select(c => $"[`{c.Name}`](#{Anchor([.. path, c.Name])})")).Append(".\n");
            }

            if (path.Count > 0 && command.Action is not null)
            {
                var arguments = command.Arguments.Where(a => !a.Hidden).Select(a => " " + ArgumentName(a));
                text.Append(CultureInfo.InvariantCulture, $"\nUsage: `quote-helper {string.Join(' ', path)}{string.Concat(arguments)} [options]`\n");
            }

            var args = command.Arguments.Where(a => !a.Hidden).ToList();
            if (args.Count > 0)
            {
                text.Append("\n| argument | description |\n|---|---|\n");
                foreach (var argument in args)
                {
                    text.Append(CultureInfo.InvariantCulture, $"| `{ArgumentName(argument)}` | {Cell(argument.Description)} |\n");
                }
            }

            // --help belongs to every verb; listing it once, at the tool, keeps the tables about each verb's own options.
            var options = command.Options.Where(o => !o.Hidden && (path.Count == 0 || o is not HelpOption)).ToList();
            if (options.Count > 0)
            {
                text.Append("\n| option | argument | default | description |\n|---|---|---|---|\n");
                foreach (var option in options)
                {
                    text.Append(CultureInfo.InvariantCulture,
                        $"| {string.Join(", ", Names(option).Select(n => $"`{n}`"))} | {OptionArgument(option)} | {Default(option)} | {Cell(option.Description)} |\n");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The exit codes every verb shares (docs/errors.md §7).</summary>
    public static string ExitCodes()
    {
        var text = new StringBuilder("| code | name | when (any verb) |\n|---|---|---|\n");
        foreach (var (code, name, when) in CliErrors.Documented.OrderBy(c => c.Code))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {code} | {name} | {Cell(when)} |\n");
        }

        text.Append("| 1 | — | any other failure (an unexpected exception, printed by System.CommandLine) |\n");
        return text.ToString();
    }

    /// <summary>Every command with its path of verb names, depth first in the tree's order; hidden ones left out.</summary>
    public static IEnumerable<(IReadOnlyList<string> Path, Command Command)> Walk(Command command, IReadOnlyList<string> path)
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var item in Walk(sub, [.. path, sub.Name]))
            {
                yield return item;
            }
        }
    }

    /// <summary>GitHub's heading anchor for <c>### `a b`</c>: lower case, spaces to hyphens, punctuation dropped.</summary>
    public static string Anchor(IReadOnlyList<string> path) => string.Join('-', path).ToLowerInvariant();

    private static IEnumerable<string> Names(Option option) => new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal));

    private static string ArgumentName(Argument argument) =>
        argument.HelpName ?? argument.Name;

    private static bool IsFlag(Option option) => option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0;

    private static string OptionArgument(Option option)
    {
        if (IsFlag(option))
        {
            return "(flag)";
        }

        var name = $"`<{option.HelpName ?? option.Name.TrimStart('-', '/')}>`";
        var allowed = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        if (allowed.Count > 0)
        {
            name += ": " + string.Join(", ", allowed.Select(a => $"`{a}`"));
        }

        return option.Arity.MaximumNumberOfValues > 1 ? name + " (repeatable)" : name;
    }

    private static string Default(Option option)
    {
        if (option.Required)
        {
            return "**required**";
        }

        if (IsFlag(option))
        {
            return "off";
        }

        // Without a default factory, a non-nullable value type parses to default(T) when the option is absent.
        var value = option.HasDefaultValue ? option.GetDefaultValue()
            : option.ValueType.IsValueType && Nullable.GetUnderlyingType(option.ValueType) is null ? Activator.CreateInstance(option.ValueType)
            : null;
        if (value is null)
        {
            return "—";
        }

        return value switch
        {
            string s => $"`{s}`",
            IEnumerable items => string.Join(", ", items.Cast<object>().Select(i => $"`{Invariant(i)}`")),
            _ => $"`{Invariant(value)}`",
        };
    }

    private static string Invariant(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    private static string Sentence(string? description) =>
        string.IsNullOrWhiteSpace(description) ? "(no description)" : Cell(description);

    private static string Cell(string? text) =>
        (text ?? "").Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Trim();
}
