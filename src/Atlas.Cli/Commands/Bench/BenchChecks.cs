namespace Atlas.Cli.Commands.Bench;

/// <summary>Checks the bench verbs share on what they are given, each refusal naming the option.</summary>
internal static class BenchChecks
{
    /// <summary>
    /// A folder a bench writes into (made when missing): refused when it, or a folder above it that would have to be
    /// made, is a file. Otherwise the writes fail later with the file system's words ("Could not find a part of the path").
    /// </summary>
    public static void WritableFolder(string option, DirectoryInfo folder)
    {
        var full = Path.TrimEndingDirectorySeparator(folder.FullName);
        if (Pipeline.OutputPaths.FileInTheWay(full) is { } path)
            throw new Core.AtlasInputException(path == full
                ? $"{option}: '{path}' is a file, not a folder"
                : $"{option}: '{full}' cannot be made: '{path}' is a file, not a folder");
    }
}
