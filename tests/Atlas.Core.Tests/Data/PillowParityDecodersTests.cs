using Atlas.Core.Data;
using Atlas.Core.Imaging;
using Atlas.Core.Tests.Models;
using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace Atlas.Core.Tests.Data;

/// <summary>
/// TIFF and Netpbm files, which torchvision's ImageFolder lists and Skia cannot read, in an image folder and for the
/// image verbs. Their pixels against Pillow's are checked in <see cref="ImageConformerTests"/>; here, what a folder of
/// them and broken ones do.
/// </summary>
public class PillowParityDecodersTests
{
    private static string Fixture(string name) => Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "pil-resize"), $"{name}.input.*").Single();

    private static byte[] Bytes(string fixture) => File.ReadAllBytes(Fixture(fixture));

    /// <summary>One class folder holding these files, opened as a data set; the listed names and which were skipped.</summary>
    private static (ImageFolderDataset Data, string[] Listed, bool[] Skipped) FolderOf(TempFolder folder, params (string Name, byte[] Content)[] files)
    {
        Directory.CreateDirectory(Path.Combine(folder.Path, "x"));
        foreach (var (name, content) in files) File.WriteAllBytes(Path.Combine(folder.Path, "x", name), content);
        var data = new ImageFolderDataset(folder.Path, new ImageGeometry(32, 3, 40));
        var batch = data.Read(0, data.Count);
        Assert.True(batch.Pixels.AsSpan(0, 3 * 32 * 32).IndexOfAnyExcept(0f) >= 0, "the first file decoded to zeros");
        return (data, [.. Enumerable.Range(0, data.Count).Select(i => Path.GetFileName(data.FileOf(i)))], [.. Enumerable.Range(0, data.Count).Select(batch.IsSkipped)]);
    }

    [Fact]
    public void An_image_folder_lists_and_decodes_tif_and_tiff_files_and_skips_a_broken_one_with_its_reason()
    {
        using var folder = new TempFolder();
        var (data, listed, skipped) = FolderOf(folder, ("a.tif", Bytes("tiff-lzw")), ("b.TIFF", Bytes("tiff-grey")),
            ("c-truncated.tif", Bytes("tiff-lzw")[..(Bytes("tiff-lzw").Length / 3)]), ("d-header-only.tif", "II*\0"u8.ToArray()));
        using var _ = data;

        Assert.Equal(["a.tif", "b.TIFF", "c-truncated.tif", "d-header-only.tif"], listed);
        Assert.Equal([false, false, true, true], skipped);
        Assert.All(data.SkippedImages, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason), "no reason given"));
    }

    [Fact]
    public void An_image_folder_lists_ppm_and_pgm_files_and_skips_broken_ones_with_their_reasons()
    {
        using var folder = new TempFolder();
        var (data, listed, skipped) = FolderOf(folder, ("a.ppm", Bytes("ppm")), ("b.PGM", Bytes("pgm-16bit")),
            ("c-truncated.ppm", Bytes("ppm")[..(Bytes("ppm").Length / 2)]), ("d-above-maxval.pgm", "P2 2 1 10 3 11\n"u8.ToArray()),
            ("e-huge-number.pgm", "P5 99999999999 1 255\n"u8.ToArray()), ("f-not-listed.pbm", Bytes("pbm")));
        using var _ = data;

        Assert.Equal(["a.ppm", "b.PGM", "c-truncated.ppm", "d-above-maxval.pgm", "e-huge-number.pgm"], listed);
        Assert.Equal([false, false, true, true, true], skipped);
        Assert.Equal(["truncated: ", "sample 11 is above maxval 10", "a number in the file is too large"],
            data.SkippedImages.Select(s => s.Reason.StartsWith("truncated: ") ? "truncated: " : s.Reason));
    }

    [Fact]
    public void A_cut_or_damaged_sixteen_bit_grey_png_is_skipped_with_its_reason()
    {
        using var folder = new TempFolder();
        var whole = File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "pil-resize", "png-16bit-grey.input.png"));
        var geometry = new ImageGeometry(32, 3, 40, true);
        var cases = new (string Name, byte[] Bytes, string Reason)[]
        {
            ("half.png", whole[..(whole.Length / 2)], "truncated PNG: it ends before its IEND chunk"),
            ("header-only.png", whole[..40], "truncated PNG: it ends before its IEND chunk"),
            ("zeroed-pixels.png", [.. whole[..60], .. new byte[whole.Length - 72], .. whole[^12..]], "truncated or corrupt PNG pixel data"),
        };
        foreach (var (name, bytes, reason) in cases)
        {
            var path = folder.File(name);
            File.WriteAllBytes(path, bytes);
            Assert.Equal(reason, ImageFileDecoder.TryDecode(path, geometry, new byte[geometry.PixelsPerImage]));
        }
    }

    [Fact]
    public void Sixteen_bit_grey_goes_through_LibTiffs_conversion_which_keeps_each_values_high_byte()
    {
        using var folder = new TempFolder();
        var path = folder.File("grey16.tif");
        ushort[] values = [0, 100, 300, 40000, 65535];
        using (var tiff = Tiff.Open(path, "w"))
        {
            tiff.SetField(TiffTag.IMAGEWIDTH, values.Length);
            tiff.SetField(TiffTag.IMAGELENGTH, 1);
            tiff.SetField(TiffTag.BITSPERSAMPLE, 16);
            tiff.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            var line = new byte[values.Length * 2];
            Buffer.BlockCopy(values, 0, line, 0, line.Length);
            Assert.True(tiff.WriteScanline(line, 0));
        }

        using var stream = File.OpenRead(path);
        using var page = TiffImage.Decode(stream);
        // Pillow's convert("RGB") of this file clips instead: 0, 100, 255, 255, 255.
        Assert.Equal(values.Select(v => (byte)(v >> 8)), Enumerable.Range(0, values.Length).Select(x => page.GetPixel(x, 0).Red));
    }

    [Fact]
    public void The_image_verbs_read_a_tiff_as_the_same_picture_saved_as_png()
    {
        using var folder = new TempFolder();
        var tiff = Fixture("tiff-lzw");
        using (var stream = File.OpenRead(tiff))
        using (var page = TiffImage.Decode(stream))
        using (var png = File.Create(folder.File("same.png")))
            Assert.True(page.Encode(png, SKEncodedImageFormat.Png, 100));

        var fromTiff = ImageFileReader.Read(tiff, 3, 70, 90);
        var fromPng = ImageFileReader.Read(folder.File("same.png"), 3, 70, 90);
        Assert.Equal(fromPng.Pixels, fromTiff.Pixels);

        var broken = folder.File("broken.tif");
        File.WriteAllBytes(broken, "MM\0*garbage"u8.ToArray());
        var error = Assert.Throws<AtlasInputException>(() => ImageFileReader.Read(broken, 3, 70, 90));
        Assert.StartsWith(broken + ": ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
