using System.Text.RegularExpressions;

namespace QuoteHelper.Deploy.Tests;

/// <summary>A Dockerfile split into stages and instructions (continuation lines joined, comments dropped, ARGs before the first FROM substituted).</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage this[string name] => Stages.Single(s => s.Name == name);

    public static Dockerfile Parse(string text)
    {
        var globalArgs = new Dictionary<string, string>();
        var stages = new List<Stage>();
        foreach (var line in LogicalLines(text))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var rest = space < 0 ? "" : line[(space + 1)..].Trim();
            if (keyword == "ARG" && stages.Count == 0)
            {
                var eq = rest.IndexOf('=', StringComparison.Ordinal);
                // A default may use the ARGs above it (RUNTIME_IMAGE=...:${DOTNET_VERSION}-noble).
                globalArgs[eq < 0 ? rest : rest[..eq]] = eq < 0 ? "" : Substitute(rest[(eq + 1)..], globalArgs);
                continue;
            }

            if (keyword == "FROM")
            {
                var from = Substitute(rest, globalArgs);
                var match = FromPattern().Match(from);
                if (!match.Success)
                {
                    throw new InvalidDataException($"cannot read FROM {from}");
                }

                stages.Add(new Stage(match.Groups["name"].Success ? match.Groups["name"].Value : $"#{stages.Count}", match.Groups["image"].Value));
                continue;
            }

            if (stages.Count == 0)
            {
                throw new InvalidDataException($"{keyword} before the first FROM");
            }

            stages[^1].Instructions.Add((keyword, rest));
        }

        return new Dockerfile(stages);
    }

    private static string Substitute(string text, Dictionary<string, string> args) =>
        VariablePattern().Replace(text, m => args.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    private static IEnumerable<string> LogicalLines(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                yield return current.Trim();
            }

            current = "";
        }
    }

    [GeneratedRegex(@"^(--platform=\S+\s+)?(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex VariablePattern();

    /// <summary>One build stage.</summary>
    internal sealed class Stage(string name, string from)
    {
        public string Name { get; } = name;
        public string From { get; } = from;
        public List<(string Keyword, string Arguments)> Instructions { get; } = [];

        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

        public string? Last(string keyword) => All(keyword).LastOrDefault();
    }
}
