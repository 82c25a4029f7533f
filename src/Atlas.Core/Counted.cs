namespace Atlas.Core;

/// <summary>A count with its noun in the right number, for messages: "1 tensor", "3 tensors".</summary>
public static class Counted
{
    /// <param name="plural">The plural when it is not the noun with an "s".</param>
    public static string Of(int count, string noun, string? plural = null) =>
        count == 1 ? $"1 {noun}" : $"{count} {plural ?? noun + "s"}";
}
