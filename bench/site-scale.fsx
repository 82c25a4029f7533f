// How the site generator copes with a whole GoogLeNet atlas (6,808 units: every channel of the 12 Microscope
// layers and the 1,000 classes), which no CPU run here can compute: a synthetic store with the manifest and
// artifact counts such a run writes (synthetic-googlenet.fsx; every picture a 1×1 PNG, so the figure is the
// generator's own cost and the files', not their bytes').
// Build first (`dotnet build Atlas.sln -c Release`), then: dotnet fsi bench/site-scale.fsx [DIVISOR]
// DIVISOR (default 1) divides every layer's unit count, for a quicker look. A second argument, a folder, keeps the
// synthetic store there (under store/) so `atlas publish` can be timed or traced on it (see bench/allocations.fsx).
#r "../src/Atlas.Site/bin/Release/net10.0/Atlas.Storage.dll"
#r "../src/Atlas.Site/bin/Release/net10.0/Atlas.Site.dll"
#load "synthetic-googlenet.fsx"
open System
open System.Diagnostics
open System.IO
open Atlas.Storage
open Atlas.Storage.Manifests

let divisor = if fsi.CommandLineArgs.Length > 1 then int fsi.CommandLineArgs.[1] else 1
let keep = if fsi.CommandLineArgs.Length > 2 then Some(Path.GetFullPath fsi.CommandLineArgs.[2]) else None
let work = keep |> Option.defaultWith (fun () -> Path.Combine(Path.GetTempPath(), sprintf "atlas-site-scale-%d" (Process.GetCurrentProcess().Id)))
let store = LocalFolderArtifactStore(Path.Combine(work, "store")) :> IArtifactStore

let clock = Stopwatch.StartNew()
let units = SyntheticGoogLeNet.write store divisor 1
printfn "store: %d units written in %.1f s" units clock.Elapsed.TotalSeconds

/// Disk blocks in use under the last folder given, not counting files already counted under the ones before it (du counts a
/// file with several names once): for [store; site], what the site adds.
let diskUse (folders: string list) =
    let info = ProcessStartInfo("du", [ "-s"; "-B1M" ] @ folders, RedirectStandardOutput = true)
    use du = Process.Start info
    let lines = du.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
    du.WaitForExit()
    sprintf "%s MB" (lines.[lines.Length - 1].Split('\t').[0])

// The store's images copied into the site, then hard-linked (the default for a local store), twice each in turn: the
// disk here is shared and its speed drifts, so each mode's two figures show how far to trust the difference.
for round, link in [ 1, false; 1, true; 2, false; 2, true ] do
    let allocatedBefore = GC.GetTotalAllocatedBytes()
    clock.Restart()
    let options = Atlas.Site.SiteOptions(LinkLocalImages = link)
    let site = Atlas.Site.SiteGenerator().GenerateAsync(store, Path.Combine(work, "site"), options, null, Threading.CancellationToken.None).Result
    let seconds = clock.Elapsed.TotalSeconds
    printfn "site, images %s (round %d): %d pages and %d images in %.1f s (%.0f pages/s), %.0f MB of files, %s on disk beside the store's %s, %.0f MB allocated, peak working set %.0f MB"
        (if link then "linked" else "copied") round site.Pages site.Images seconds (float site.Pages / seconds) (float site.Bytes / 1e6)
        (diskUse [ Path.Combine(work, "store"); Path.Combine(work, "site") ]) (diskUse [ Path.Combine(work, "store") ])
        (float (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1e6) (float (Process.GetCurrentProcess().PeakWorkingSet64) / 1e6)
match keep with
| Some folder -> Directory.Delete(Path.Combine(folder, "site"), true); printfn "store kept in %s" (Path.Combine(folder, "store"))
| None -> Directory.Delete(work, true)
