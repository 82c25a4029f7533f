namespace Atlas.Core;

/// <summary>
/// A problem with what the user gave us (a config, a checkpoint, a data folder, an image).
/// The message is one line that names the file or field and what is wrong; the CLI prints it
/// without a stack trace and exits non-zero.
/// </summary>
public sealed class AtlasInputException : Exception
{
    public AtlasInputException(string message, Exception? inner = null) : base(message, inner) { }
}
