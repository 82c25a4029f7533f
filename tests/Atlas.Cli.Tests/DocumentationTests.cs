using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Atlas.Cli.Commands;
using Atlas.Core.Configuration;

namespace Atlas.Cli.Tests;

/// <summary>
/// The config reference and the README's verb table are how users learn the program, and they drift as fields and
/// options are added: each config field must have its row (and no row may outlive its field), each default written
/// there must be the code's, each verb's options must appear in its README row, and each environment variable the
/// program reads must be explained there.
/// </summary>
public partial class DocumentationTests
{
    private static readonly string ConfigReference = File.ReadAllText(Path.Combine(TestData.RepoRoot, "docs", "config-reference.md"));
    private static readonly string Readme = File.ReadAllText(Path.Combine(TestData.RepoRoot, "README.md"));

    /// <summary>Each config record's section heading in docs/config-reference.md, and a minimal JSON that makes one.</summary>
    private static readonly (string Heading, Type Type, string MinimalJson)[] Sections =
    [
        ("## Top level", typeof(AtlasConfig), """{"name":"n","model":{"architecture":"a","checkpoint":"c"},"dataset":{"kind":"k","path":"p"}}"""),
        ("## model", typeof(ModelConfig), """{"architecture":"a","checkpoint":"c"}"""),
        ("### model.train (demo CNN only)", typeof(TrainConfig), "{}"),
        ("## dataset", typeof(DatasetConfig), """{"kind":"k","path":"p"}"""),
        ("## featureVis", typeof(FeatureVisConfig), "{}"),
        ("## examples", typeof(ExamplesConfig), "{}"),
        ("## output", typeof(OutputConfig), "{}"),
        ("## watch", typeof(WatchConfig), """{"source":"s"}"""),
    ];

    public static TheoryData<string> SectionHeadings => new(Sections.Select(s => s.Heading));

    /// <summary>A table row whose first cell starts with a backticked name; a cell may hold '\|'.</summary>
    [GeneratedRegex(@"^\|\s*(?<keys>`(?:\\\||[^|])*?)\s*\|(?<type>(?:\\\||[^|])*)\|(?<default>(?:\\\||[^|])*)\|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    /// <summary>A cell boundary: a '|' that is not written as '\|' inside the cell.</summary>
    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    [GeneratedRegex(@"`([A-Za-z][A-Za-z0-9]*)`")]
    private static partial Regex BacktickedName();

    [Theory]
    [MemberData(nameof(SectionHeadings))]
    public void Config_reference_has_a_row_for_every_field_and_none_for_a_field_that_is_gone(string heading)
    {
        var (_, type, _) = Sections.Single(s => s.Heading == heading);
        var documented = Rows(heading).SelectMany(row => row.Keys).ToHashSet(StringComparer.Ordinal);
        var fields = JsonFields(type).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

        Assert.True(fields.Count > 0, $"{type.Name} has no fields");
        Assert.Empty(fields.Except(documented).Select(f => $"{heading}: no row for '{f}'"));
        Assert.Empty(documented.Except(fields).Select(f => $"{heading}: a row for '{f}', which {type.Name} does not have"));
    }

    /// <summary>A plain default in the code (a number, a boolean, a word) is written in its row's default cell.</summary>
    [Theory]
    [MemberData(nameof(SectionHeadings))]
    public void Config_reference_states_the_defaults_the_code_has(string heading)
    {
        var (_, type, json) = Sections.Single(s => s.Heading == heading);
        var instance = JsonSerializer.Deserialize(json, type, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var rows = Rows(heading).SelectMany(row => row.Keys.Select(key => (Key: key, row.Default))).ToDictionary(r => r.Key, r => r.Default);
        var wrong = new List<string>();
        // A required field has no default; the minimal JSON's placeholders are not defaults.
        foreach (var (name, property) in JsonFields(type).Where(f => !f.Property.IsDefined(typeof(System.Runtime.CompilerServices.RequiredMemberAttribute))))
        {
            var value = property.GetValue(instance);
            var text = value switch
            {
                bool b => b ? "true" : "false",
                int or long or double or float => Convert.ToString(value, CultureInfo.InvariantCulture),
                string s => s,
                _ => null, // objects, lists and nulls are described in words
            };
            if (text is null || !rows.TryGetValue(name, out var cell)) continue;
            if (!Regex.IsMatch(cell, $@"(?<![\w.]){Regex.Escape(text)}(?![\w]|\.\d)"))
                wrong.Add($"{heading}: '{name}' defaults to {text} in {type.Name}, but its row says '{cell.Trim()}'");
        }
        Assert.Empty(wrong);
    }

    /// <summary>The commands whose README rows list every option; `bench`'s row points to each subverb's --help instead.</summary>
    public static TheoryData<string> Verbs => new(VerbCommands().Select(c => c.Name).Where(name => name != "bench"));

    [Theory]
    [MemberData(nameof(Verbs))]
    public void Readme_verb_table_names_every_option_of_the_verb(string verb)
    {
        var command = VerbCommands().Single(c => c.Name == verb);
        var row = Readme.Split('\n').SingleOrDefault(line => line.StartsWith($"| `{verb}", StringComparison.Ordinal));
        Assert.True(row is not null, $"README's Command line table has no row for '{verb}'");
        var firstCell = UnescapedPipe().Split(row!)[1];
        var missing = command.Options.Where(o => !o.Name.Equals("--help", StringComparison.Ordinal))
            .Where(o => !Regex.IsMatch(firstCell, $@"{Regex.Escape(o.Name)}(?![\w-])"))
            .Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, $"README's '{verb}' row does not name {string.Join(", ", missing)}");
    }

    [Fact]
    public void Plans_help_describes_its_out_and_store_as_what_it_plans_for_since_it_publishes_nothing()
    {
        var plan = PlanCommand.Create();
        Assert.All(plan.Options.Where(o => o.Name is "--out" or "--store"), o => Assert.DoesNotContain("publish", o.Description, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Publish", RunCommand.Create().Options.Single(o => o.Name == "--out").Description);
    }

    [GeneratedRegex(@"\bATLAS_[A-Z_]+\b")]
    private static partial Regex AtlasVariable();

    /// <summary>Every variable the program reads is explained in the README, and the README names no variable it does not read.</summary>
    [Fact]
    public void Readme_explains_every_environment_variable_the_program_reads()
    {
        var read = Hosting.ClusterSettings.VariableNames;
        var named = AtlasVariable().Matches(Readme).Select(m => m.Value).Where(v => !v.StartsWith("ATLAS_TEST_", StringComparison.Ordinal)).ToHashSet();
        Assert.Empty(read.Where(v => !Readme.Contains($"`{v}`", StringComparison.Ordinal)).Select(v => $"README does not explain {v}"));
        Assert.Empty(named.Except(read).Select(v => $"README names {v}, which the program does not read"));
    }

    private static IEnumerable<Command> VerbCommands() =>
    [
        RunCommand.Create(), PlanCommand.Create(), PublishCommand.Create(), ServeCommand.Create(), SiloCommand.Create(),
        SubmitCommand.Create(), StatusCommand.Create(), CancelCommand.Create(), WatchCommand.Create(), DoctorCommand.Create(),
        Commands.Bench.BenchCommand.Create(), ActivationsCommand.Create(), ExplainCommand.Create(),
    ];

    /// <summary>The JSON names of a config record's fields, as the loader reads them (camelCase, Web defaults).</summary>
    private static IEnumerable<(string Name, PropertyInfo Property)> JsonFields(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && !p.IsDefined(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute)))   // not read from a config
            .Select(p => (JsonNamingPolicy.CamelCase.ConvertName(p.Name), p));

    /// <summary>The field rows of the table under a heading: the backticked names in the first cell, and the default cell.</summary>
    private static List<(string[] Keys, string Default)> Rows(string heading)
    {
        var start = ConfigReference.IndexOf($"\n{heading}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/config-reference.md has no heading '{heading}'");
        var bodyStart = start + heading.Length + 2;
        var next = Regex.Match(ConfigReference[bodyStart..], @"^#{2,3} ", RegexOptions.Multiline);
        var section = next.Success ? ConfigReference.Substring(bodyStart, next.Index) : ConfigReference[bodyStart..];
        var rows = TableRow().Matches(section)
            .Select(m => (Keys: BacktickedName().Matches(m.Groups["keys"].Value).Select(k => k.Groups[1].Value).ToArray(), Default: m.Groups["default"].Value))
            .ToList();
        Assert.True(rows.Count > 0, $"docs/config-reference.md has no field table under '{heading}'");
        return rows;
    }
}
