using System.Text.RegularExpressions;

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>A PromQL syntax or type error in a documented query.</summary>
internal sealed class PromQlException(string message) : Exception(message);

/// <summary>One series selector in a query: <c>name{label op "value", …}</c>.</summary>
internal sealed record PromQlSelector(string Name, IReadOnlyList<(string Label, string Op, string Value)> Matchers);

/// <summary>
/// A parser for the PromQL the docs use (selectors, range vectors and subqueries, offset, functions, aggregations
/// with <c>by</c>/<c>without</c> before or after their argument, binary operators with <c>bool</c>, <c>on</c>/<c>ignoring</c>
/// and <c>group_left</c>/<c>group_right</c>), following Prometheus' grammar and its type rules: a range vector only
/// where a function takes one, <c>by</c> only on an aggregation (so <c>increase(x[5m]) by (l)</c> is an error, as in
/// Prometheus), grouping labels only that the aggregated series carry. No PromQL parser exists for .NET on the feed;
/// this one is small enough to read, and its own tests pin what it refuses.
/// </summary>
internal sealed class PromQl
{
    /// <summary>Labels Prometheus (with the prometheus-operator) attaches to every scraped series.</summary>
    public static readonly IReadOnlySet<string> TargetLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        "instance", "job", "namespace", "pod", "service", "container", "endpoint",
    };

    private enum ValueType { Scalar, Vector, Matrix, String }

    /// <summary>The type of an expression and the labels its series carry (null: not known, e.g. another exporter's metric).</summary>
    private readonly record struct Value(ValueType Type, IReadOnlySet<string>? Labels);

    private static readonly HashSet<string> s_aggregations = new(StringComparer.Ordinal)
    {
        "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    };

    // Function → argument types (a trailing '?' marks an optional argument) and result type.
    private static readonly Dictionary<string, (ValueType[] Args, int Required, ValueType Result)> s_functions = new(StringComparer.Ordinal)
    {
        ["rate"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["irate"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["increase"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["delta"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["idelta"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["deriv"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["changes"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["resets"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["avg_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["min_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["max_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["sum_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["count_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["last_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["absent_over_time"] = ([ValueType.Matrix], 1, ValueType.Vector),
        ["histogram_quantile"] = ([ValueType.Scalar, ValueType.Vector], 2, ValueType.Vector),
        ["abs"] = ([ValueType.Vector], 1, ValueType.Vector),
        ["absent"] = ([ValueType.Vector], 1, ValueType.Vector),
        ["ceil"] = ([ValueType.Vector], 1, ValueType.Vector),
        ["floor"] = ([ValueType.Vector], 1, ValueType.Vector),
        ["round"] = ([ValueType.Vector, ValueType.Scalar], 1, ValueType.Vector),
        ["clamp_min"] = ([ValueType.Vector, ValueType.Scalar], 2, ValueType.Vector),
        ["clamp_max"] = ([ValueType.Vector, ValueType.Scalar], 2, ValueType.Vector),
        ["scalar"] = ([ValueType.Vector], 1, ValueType.Scalar),
        ["vector"] = ([ValueType.Scalar], 1, ValueType.Vector),
        ["time"] = ([], 0, ValueType.Scalar),
        ["timestamp"] = ([ValueType.Vector], 1, ValueType.Vector),
    };

    private static readonly Dictionary<string, int> s_precedence = new(StringComparer.Ordinal)
    {
        ["or"] = 1, ["and"] = 2, ["unless"] = 2,
        ["=="] = 3, ["!="] = 3, ["<"] = 3, [">"] = 3, ["<="] = 3, [">="] = 3,
        ["+"] = 4, ["-"] = 4, ["*"] = 5, ["/"] = 5, ["%"] = 5, ["atan2"] = 5, ["^"] = 6,
    };

    private readonly List<(string Kind, string Text, int Position)> _tokens;
    private readonly Func<string, IReadOnlySet<string>?> _labelsOf;
    private readonly string _source;
    private int _next;

    private PromQl(string source, Func<string, IReadOnlySet<string>?> labelsOf)
    {
        _source = source;
        _labelsOf = labelsOf;
        _tokens = Tokenize(source);
    }

    /// <summary>The selectors of <paramref name="query"/>, after checking its syntax and types.</summary>
    /// <param name="query">One PromQL expression.</param>
    /// <param name="labelsOf">A metric name's label names, or null when they are not known (another exporter's metric).</param>
    /// <exception cref="PromQlException">The query is not valid PromQL, or groups by a label its series lack.</exception>
    public static IReadOnlyList<PromQlSelector> Parse(string query, Func<string, IReadOnlySet<string>?> labelsOf)
    {
        var parser = new PromQl(query, labelsOf);
        var value = parser.Expression(0);
        if (parser.Peek.Kind != "end")
        {
            throw parser.Error($"unexpected '{parser.Peek.Text}'");
        }

        if (value.Type is ValueType.Matrix or ValueType.String)
        {
            throw parser.Error($"a query must be a scalar or an instant vector, this one is a {value.Type.ToString().ToLowerInvariant()}");
        }

        return parser.Selectors;
    }

    private List<PromQlSelector> Selectors { get; } = [];

    private (string Kind, string Text, int Position) Peek => _tokens[_next];

    private PromQlException Error(string message) =>
        new($"{message} at offset {Peek.Position} in: {_source}");

    private (string Kind, string Text, int Position) Take() => _tokens[_next++];

    private void Expect(string text)
    {
        if (Peek.Text != text || Peek.Kind == "string")
        {
            throw Error($"expected '{text}', found '{Peek.Text}'");
        }

        _next++;
    }

    private Value Expression(int minPrecedence)
    {
        var left = Unary();
        while (Peek.Kind is "op" or "ident" && s_precedence.TryGetValue(Peek.Text, out var precedence) && precedence >= minPrecedence)
        {
            var op = Take().Text;
            var comparison = precedence == 3;
            var isSet = op is "and" or "or" or "unless";
            var returnBool = false;
            if (Peek.Text == "bool")
            {
                if (!comparison)
                {
                    throw Error($"'bool' only after a comparison, not after '{op}'");
                }

                _next++;
                returnBool = true;
            }

            if (Peek.Text is "on" or "ignoring")
            {
                _next++;
                LabelList();
                if (Peek.Text is "group_left" or "group_right")
                {
                    _next++;
                    if (Peek.Text == "(")
                    {
                        LabelList();
                    }
                }
            }

            // "^" is right-associative; everything else left-associative.
            var right = Expression(op == "^" ? precedence : precedence + 1);
            left = Binary(op, left, right, comparison, isSet, returnBool);
        }

        return left;
    }

    private Value Binary(string op, Value left, Value right, bool comparison, bool isSet, bool returnBool)
    {
        if (left.Type is not (ValueType.Scalar or ValueType.Vector) || right.Type is not (ValueType.Scalar or ValueType.Vector))
        {
            throw Error($"'{op}' needs scalar or instant-vector operands, got {left.Type} and {right.Type}");
        }

        if (isSet && (left.Type != ValueType.Vector || right.Type != ValueType.Vector))
        {
            throw Error($"'{op}' needs instant vectors on both sides");
        }

        if (comparison && left.Type == ValueType.Scalar && right.Type == ValueType.Scalar && !returnBool)
        {
            throw Error("a comparison between scalars needs 'bool'");
        }

        return left.Type == ValueType.Vector ? left : right;
    }

    private Value Unary()
    {
        if (Peek.Text is "-" or "+" && Peek.Kind == "op")
        {
            _next++;
            var operand = Unary();
            return operand.Type is ValueType.Scalar or ValueType.Vector ? operand : throw Error("a sign needs a scalar or an instant vector");
        }

        return Postfix(Primary(out var isSelector), isSelector);
    }

    private Value Postfix(Value value, bool isSelector)
    {
        while (true)
        {
            if (Peek.Text == "[")
            {
                _next++;
                Duration();
                if (Peek.Text == ":")
                {
                    _next++;
                    if (Peek.Kind == "duration")
                    {
                        Duration();
                    }

                    Expect("]");
                    if (value.Type != ValueType.Vector)
                    {
                        throw Error("a subquery needs an instant vector");
                    }
                }
                else
                {
                    Expect("]");
                    if (!isSelector)
                    {
                        throw Error("a range [d] applies to a series selector only (use a subquery [d:] for an expression)");
                    }
                }

                value = value with { Type = ValueType.Matrix };
                isSelector = false;
            }
            else if (Peek.Text == "offset")
            {
                _next++;
                if (Peek.Text == "-")
                {
                    _next++;
                }

                Duration();
            }
            else
            {
                return value;
            }
        }
    }

    private void Duration()
    {
        if (Peek.Kind != "duration")
        {
            throw Error($"expected a duration such as 5m, found '{Peek.Text}'");
        }

        _next++;
    }

    private Value Primary(out bool isSelector)
    {
        isSelector = false;
        var token = Take();
        switch (token.Kind)
        {
            case "number":
                return new Value(ValueType.Scalar, null);
            case "string":
                return new Value(ValueType.String, null);
            case "duration":
                throw Error($"unexpected duration '{token.Text}'");
            case "op" when token.Text == "(":
            {
                var inner = Expression(0);
                Expect(")");
                return inner;
            }

            case "op" when token.Text == "{":
                isSelector = true;
                return Selector("", requireMatcher: true);
            case "ident" when s_aggregations.Contains(token.Text):
                return Aggregation(token.Text);
            case "ident" when Peek.Text == "(":
                return Function(token.Text);
            case "ident" when IsKeyword(token.Text):
                throw new PromQlException($"unexpected '{token.Text}' at offset {token.Position} in: {_source}");
            case "ident":
                isSelector = true;
                if (Peek.Text == "{")
                {
                    _next++;
                    return Selector(token.Text, requireMatcher: false);
                }

                return Selector(token.Text, requireMatcher: false, hasBraces: false);
            default:
                throw new PromQlException($"unexpected '{token.Text}' at offset {token.Position} in: {_source}");
        }
    }

    private static bool IsKeyword(string word) => word is "by" or "without" or "on" or "ignoring" or "group_left" or "group_right"
        or "bool" or "offset" or "and" or "or" or "unless" or "atan2";

    private Value Selector(string name, bool requireMatcher, bool hasBraces = true)
    {
        var matchers = new List<(string, string, string)>();
        if (hasBraces)
        {
            while (Peek.Text != "}")
            {
                var label = Take();
                if (label.Kind != "ident")
                {
                    throw Error($"expected a label name, found '{label.Text}'");
                }

                var op = Take();
                if (op.Text is not ("=" or "!=" or "=~" or "!~"))
                {
                    throw Error($"expected =, !=, =~ or !~ after '{label.Text}', found '{op.Text}'");
                }

                var value = Take();
                if (value.Kind != "string")
                {
                    throw Error($"a label value must be a quoted string, found '{value.Text}'");
                }

                if (op.Text is "=~" or "!~")
                {
                    try
                    {
                        _ = new Regex(value.Text, RegexOptions.None, TimeSpan.FromSeconds(1));
                    }
                    catch (ArgumentException e)
                    {
                        throw Error($"'{value.Text}' is not a regular expression: {e.Message}");
                    }
                }

                matchers.Add((label.Text, op.Text, value.Text));
                if (Peek.Text == ",")
                {
                    _next++;
                }
                else if (Peek.Text != "}")
                {
                    throw Error($"expected ',' or '}}', found '{Peek.Text}'");
                }
            }

            _next++;
        }

        if (requireMatcher && matchers.Count == 0)
        {
            throw Error("a selector needs a metric name or a matcher");
        }

        if (name.Length == 0)
        {
            name = matchers.FirstOrDefault(m => m.Item1 == "__name__" && m.Item2 == "=").Item3 ?? "";
        }

        Selectors.Add(new PromQlSelector(name, matchers));
        var labels = name.Length == 0 ? null : _labelsOf(name);
        return new Value(ValueType.Vector, labels is null ? null : new HashSet<string>(labels.Concat(TargetLabels), StringComparer.Ordinal));
    }

    private Value Function(string name)
    {
        if (!s_functions.TryGetValue(name, out var signature))
        {
            throw Error($"unknown function '{name}'");
        }

        var args = Arguments();
        if (args.Count < signature.Required || args.Count > signature.Args.Length)
        {
            throw Error($"{name}() takes {signature.Required}–{signature.Args.Length} arguments, got {args.Count}");
        }

        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].Type != signature.Args[i])
            {
                throw Error($"argument {i + 1} of {name}() must be a {Describe(signature.Args[i])}, got a {Describe(args[i].Type)}");
            }
        }

        var labels = args.FirstOrDefault(a => a.Type is ValueType.Vector or ValueType.Matrix).Labels;
        if (name == "histogram_quantile" && labels is not null)
        {
            if (!labels.Contains("le"))
            {
                throw Error("histogram_quantile() needs the 'le' label: keep it in the aggregation (by (le, …))");
            }

            labels = new HashSet<string>(labels.Where(l => l != "le"), StringComparer.Ordinal);
        }

        return new Value(signature.Result, labels);
    }

    private static string Describe(ValueType type) => type switch
    {
        ValueType.Matrix => "range vector (x[5m])",
        ValueType.Vector => "instant vector",
        _ => type.ToString().ToLowerInvariant(),
    };

    private Value Aggregation(string name)
    {
        (string Keyword, List<string> Labels)? grouping = null;
        if (Peek.Text is "by" or "without")
        {
            grouping = (Take().Text, LabelList());
        }

        var args = Arguments();
        if (Peek.Text is "by" or "without")
        {
            if (grouping is not null)
            {
                throw Error($"{name}: one 'by'/'without' clause only");
            }

            grouping = (Take().Text, LabelList());
        }

        var parameterized = name is "topk" or "bottomk" or "quantile" or "count_values";
        if (args.Count != (parameterized ? 2 : 1))
        {
            throw Error($"{name}() takes {(parameterized ? 2 : 1)} argument(s), got {args.Count}");
        }

        var vector = args[^1];
        if (vector.Type != ValueType.Vector)
        {
            throw Error($"{name}() aggregates an instant vector, got a {Describe(vector.Type)}");
        }

        if (parameterized && args[0].Type != (name == "count_values" ? ValueType.String : ValueType.Scalar))
        {
            throw Error($"the parameter of {name}() has the wrong type");
        }

        if (grouping is not { } g)
        {
            return new Value(ValueType.Vector, new HashSet<string>(StringComparer.Ordinal));
        }

        if (vector.Labels is { } known)
        {
            foreach (var label in g.Labels.Where(l => !known.Contains(l)))
            {
                throw Error($"{name} {g.Keyword} ({label}): the aggregated series have no label '{label}' (they have {string.Join(", ", known.Order(StringComparer.Ordinal))})");
            }
        }

        return g.Keyword == "by"
            ? new Value(ValueType.Vector, new HashSet<string>(g.Labels, StringComparer.Ordinal))
            : new Value(ValueType.Vector, vector.Labels is null ? null : new HashSet<string>(vector.Labels.Except(g.Labels), StringComparer.Ordinal));
    }

    private List<Value> Arguments()
    {
        Expect("(");
        var args = new List<Value>();
        if (Peek.Text != ")")
        {
            args.Add(Expression(0));
            while (Peek.Text == ",")
            {
                _next++;
                args.Add(Expression(0));
            }
        }

        Expect(")");
        return args;
    }

    private List<string> LabelList()
    {
        Expect("(");
        var labels = new List<string>();
        while (Peek.Text != ")")
        {
            var label = Take();
            if (label.Kind != "ident")
            {
                throw Error($"expected a label name, found '{label.Text}'");
            }

            labels.Add(label.Text);
            if (Peek.Text == ",")
            {
                _next++;
            }
            else if (Peek.Text != ")")
            {
                throw Error($"expected ',' or ')', found '{Peek.Text}'");
            }
        }

        _next++;
        return labels;
    }

    private static List<(string Kind, string Text, int Position)> Tokenize(string source)
    {
        var tokens = new List<(string, string, int)>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            var start = i;
            if (c is '"' or '\'')
            {
                i++;
                var text = new System.Text.StringBuilder();
                while (i < source.Length && source[i] != c)
                {
                    if (source[i] == '\\' && i + 1 < source.Length)
                    {
                        i++;
                    }

                    text.Append(source[i++]);
                }

                if (i == source.Length)
                {
                    throw new PromQlException($"unterminated string at offset {start} in: {source}");
                }

                i++;
                tokens.Add(("string", text.ToString(), start));
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < source.Length && char.IsDigit(source[i + 1])))
            {
                var duration = Regex.Match(source[i..], @"^(\d+(ms|[smhdwy]))+(?![A-Za-z0-9_])");
                if (duration.Success)
                {
                    i += duration.Length;
                    tokens.Add(("duration", duration.Value, start));
                    continue;
                }

                var number = Regex.Match(source[i..], @"^(0[xX][0-9a-fA-F]+|\d*\.?\d+([eE][+-]?\d+)?)");
                i += number.Length;
                if (i < source.Length && (char.IsLetter(source[i]) || source[i] == '_'))
                {
                    throw new PromQlException($"bad number or duration '{source[start..(i + 1)]}' at offset {start} in: {source}");
                }

                tokens.Add(("number", number.Value, start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] is '_' or ':'))
                {
                    i++;
                }

                tokens.Add(("ident", source[start..i], start));
            }
            else
            {
                var two = i + 1 < source.Length ? source.Substring(i, 2) : "";
                var op = two is "==" or "!=" or "<=" or ">=" or "=~" or "!~" ? two : c.ToString();
                if (op.Length == 1 && !"(){}[],:=+-*/%^<>".Contains(op[0], StringComparison.Ordinal))
                {
                    throw new PromQlException($"unexpected character '{c}' at offset {start} in: {source}");
                }

                i += op.Length;
                tokens.Add(("op", op, start));
            }
        }

        tokens.Add(("end", "end of query", source.Length));
        return tokens;
    }

    /// <summary>Whether <paramref name="pattern"/> (a PromQL regex: RE2, fully anchored) matches <paramref name="value"/>.</summary>
    public static bool RegexMatches(string pattern, string value) =>
        Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.None, TimeSpan.FromSeconds(1));
}
