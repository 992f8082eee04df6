using System.Text;

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>
/// A part of a Markdown file between <c>&lt;!-- BEGIN GENERATED: name --&gt;</c> and <c>&lt;!-- END GENERATED: name --&gt;</c>,
/// which a test regenerates from the code. With <c>UPDATE_DOCS=1</c> in the environment the test rewrites the file
/// instead of failing (how to do it is in docs/cli.md, "Keeping this page in step with the code").
/// </summary>
internal static class GeneratedSection
{
    public const string UpdateVariable = "UPDATE_DOCS";

    public static string Begin(string name) => $"<!-- BEGIN GENERATED: {name} (do not edit: UPDATE_DOCS=1 regenerates it, see docs/cli.md) -->";

    public static string End(string name) => $"<!-- END GENERATED: {name} -->";

    /// <summary>Compares the section with <paramref name="expected"/>; rewrites it under UPDATE_DOCS=1, else fails with a diff.</summary>
    public static void Check(string relativePath, string name, string expected)
    {
        var path = RepoFiles.PathOf(relativePath);
        var text = File.ReadAllText(path);
        var (start, end) = Locate(text, name, relativePath);
        var actual = text[start..end];
        expected = expected.TrimEnd('\n') + "\n";
        if (actual == expected)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, text[..start] + expected + text[end..]);
            return;
        }

        Assert.Fail($"{relativePath}: the generated section '{name}' differs from the code. Run\n" +
            "  UPDATE_DOCS=1 dotnet test --project tests/QuoteHelper.Cli.Tests --filter-class QuoteHelper.Cli.Tests.Docs.CliReferenceDocTests\n" +
            $"and commit the result. Diff (- in the file, + from the code):\n{Diff(actual, expected)}");
    }

    /// <summary>The text between the two marker lines (without them).</summary>
    public static string Content(string text, string name, string fileName)
    {
        var (start, end) = Locate(text, name, fileName);
        return text[start..end];
    }

    private static (int Start, int End) Locate(string text, string name, string fileName)
    {
        var beginPrefix = $"<!-- BEGIN GENERATED: {name} ";
        var begin = text.IndexOf(beginPrefix, StringComparison.Ordinal);
        Assert.True(begin >= 0, $"{fileName} has no '{beginPrefix}…-->' line");
        var start = text.IndexOf('\n', begin) + 1;
        var end = text.IndexOf(End(name), start, StringComparison.Ordinal);
        Assert.True(end >= 0, $"{fileName} has no '{End(name)}' line after the BEGIN line");
        return (start, end);
    }

    /// <summary>A line diff (longest common subsequence), with two lines of context around each change.</summary>
    internal static string Diff(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Mark, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                lines.Add(('-', a[x++]));
            }
            else
            {
                lines.Add(('+', b[y++]));
            }
        }

        var output = new StringBuilder();
        var lastShown = -1;
        for (var k = 0; k < lines.Count; k++)
        {
            var near = false;
            for (var d = -2; d <= 2 && !near; d++)
            {
                near = k + d >= 0 && k + d < lines.Count && lines[k + d].Mark != ' ';
            }

            if (!near)
            {
                continue;
            }

            if (lastShown >= 0 && k > lastShown + 1)
            {
                output.Append("  …\n");
            }

            output.Append(lines[k].Mark).Append(' ').Append(lines[k].Text).Append('\n');
            lastShown = k;
        }

        return output.ToString();
    }
}
