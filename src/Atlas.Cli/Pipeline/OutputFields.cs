namespace Atlas.Cli.Pipeline;

/// <summary>
/// Where a verb's site folder and store came from, for its errors: the config's fields, or the command line's
/// `--out`/`--store` that replaced them (a user who typed `--out` looks for `--out` in the message, not `output.site`).
/// </summary>
public sealed record OutputFields(string Site, string Store)
{
    public static OutputFields FromConfig { get; } = new("output.site", "output.store");
}
