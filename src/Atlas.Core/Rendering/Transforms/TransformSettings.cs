using System.Globalization;

namespace Atlas.Core.Rendering;

/// <summary>
/// The random transforms applied to the images before every step, in Lucid's order: pad (fill
/// <see cref="PadValue"/>), jitter by up to <see cref="Jitter"/> pixels, scale by one of
/// <see cref="Scales"/>, rotate by one of <see cref="Angles"/> degrees, jitter by up to
/// <see cref="FineJitter"/>. A picture that survives them is robust rather than a brittle
/// high-frequency pattern. <see cref="Pad"/> is the grey margin the other transforms may reveal;
/// the network always sees the image at its own size.
/// </summary>
public sealed record TransformSettings(int Pad, double PadValue, int Jitter, IReadOnlyList<double> Scales, IReadOnlyList<double> Angles, int FineJitter)
{
    /// <summary>The size Lucid's numbers are for.</summary>
    public const int LucidSize = 224;

    public static readonly TransformSettings None = new(0, 0.5, 0, [1.0], [0.0], 0);

    /// <summary>
    /// Lucid's standard set — pad 12 (0.5), jitter 8, scale 0.90…1.10 in steps of 0.02, rotate −10…10°
    /// with 0 five times more likely, jitter 4 — with the pixel amounts scaled by size/224 (at least
    /// 2, 2 and 1 pixels, so small images still move). Scale and angle are relative and stay as they are.
    /// </summary>
    public static TransformSettings Standard(int size)
    {
        double k = size / (double)LucidSize;
        int Scaled(int pixels, int floor) => Math.Max(floor, (int)Math.Round(pixels * k, MidpointRounding.AwayFromZero));
        var scales = Enumerable.Range(0, 11).Select(i => 1 + (i - 5) / 50.0).ToList();
        var angles = Enumerable.Range(-10, 21).Select(a => (double)a).Concat(Enumerable.Repeat(0.0, 5)).ToList();
        return new TransformSettings(Scaled(12, 2), 0.5, Scaled(8, 2), scales, angles, Scaled(4, 1));
    }

    /// <summary>Only a random translation of up to ±<paramref name="pixels"/> (the walking skeleton's transform).</summary>
    public static TransformSettings JitterOnly(int pixels) => pixels <= 0 ? None : None with { Pad = pixels, Jitter = 2 * pixels };

    public bool IsIdentity => Jitter == 0 && FineJitter == 0 && Scales.All(s => s == 1.0) && Angles.All(a => a == 0.0);

    public string Description
    {
        get
        {
            if (IsIdentity) return "none";
            var parts = new List<string> { $"pad {Pad} ({PadValue.ToString("0.##", CultureInfo.InvariantCulture)})" };
            if (Jitter > 0) parts.Add($"jitter {Jitter}");
            if (Scales.Any(s => s != 1.0)) parts.Add($"scale {Scales.Min().ToString("0.00", CultureInfo.InvariantCulture)}–{Scales.Max().ToString("0.00", CultureInfo.InvariantCulture)}");
            if (Angles.Any(a => a != 0.0)) parts.Add($"rotate {Angles.Min():0}–{Angles.Max():0}°");
            if (FineJitter > 0) parts.Add($"jitter {FineJitter}");
            return string.Join(", ", parts);
        }
    }
}
