// How the site generator copes with a whole GoogLeNet atlas (6,808 units: every channel of the 12 Microscope
// layers and the 1,000 classes), which no CPU run here can compute: a synthetic store with the manifest and
// artifact counts such a run writes (7 pictures, 9 top and 9 bottom examples, 8 input kernels per unit,
// 10,000 data set images; every picture a 1×1 PNG, so the figure is the generator's own cost and the files', not
// their bytes').
// Build first (`dotnet build Atlas.sln -c Release`), then: dotnet fsi bench/site-scale.fsx [DIVISOR]
// DIVISOR (default 1) divides every layer's unit count, for a quicker look. A second argument, a folder, keeps the
// synthetic store there (under store/) so `atlas publish` can be timed or traced on it (see bench/allocations.fsx).
#r "../src/Atlas.Site/bin/Release/net10.0/Atlas.Storage.dll"
#r "../src/Atlas.Site/bin/Release/net10.0/Atlas.Site.dll"
open System
open System.Diagnostics
open System.IO
open Atlas.Storage
open Atlas.Storage.Manifests

let divisor = if fsi.CommandLineArgs.Length > 1 then int fsi.CommandLineArgs.[1] else 1
let keep = if fsi.CommandLineArgs.Length > 2 then Some(Path.GetFullPath fsi.CommandLineArgs.[2]) else None
let work = keep |> Option.defaultWith (fun () -> Path.Combine(Path.GetTempPath(), sprintf "atlas-site-scale-%d" (Process.GetCurrentProcess().Id)))
let store = LocalFolderArtifactStore(Path.Combine(work, "store")) :> IArtifactStore
let keys = AtlasKeys("googlenet", "v1")
let png = Convert.FromBase64String "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
let put key = store.PutAsync(key, ReadOnlyMemory png, "image/png").Wait()
let layers =
    [ "conv1", 64; "conv2", 64; "conv3", 192; "inception3a", 256; "inception3b", 480; "inception4a", 512; "inception4b", 512
      "inception4c", 512; "inception4d", 528; "inception4e", 832; "inception5a", 832; "inception5b", 1024; "logits", 1000 ]
let imageCount = 10000
let random = Random 1

let unitManifest layerIndex (name: string) unit =
    let folder = sprintf "%s/layers/%s/units/%d" keys.Root name unit
    let pictures =
        [ for kind in [ "channel"; "negative"; "neuron"; "diversity-0"; "diversity-1"; "diversity-2"; "diversity-3" ] ->
            let key = sprintf "%s/vis-%s.png" folder kind
            put key
            VisArtifact(kind, key, kind, 1.0, 0) ]
    let examples () =
        [ for rank in 0 .. 8 ->
            let image = random.Next imageCount
            ExampleRef(image, float32 (9 - rank), 1, 1, image % 1000, keys.DatasetImage image) ]
    let before = if layerIndex = 0 then None else Some(fst layers.[layerIndex - 1])
    let after = if layerIndex = layers.Length - 1 then None else Some(fst layers.[layerIndex + 1])
    UnitManifest(unit, (if name = "logits" then sprintf "class %d" unit else null), "channel", pictures.[0].Key, 1.0, examples (),
        Visualizations = pictures,
        BottomExamples = examples (),
        Inputs = (match before with
                  | Some from -> [ for j in 0 .. 7 -> let key = keys.CircuitKernel(name, unit, from, j) in put key; CircuitLink(from, j, 0.5f, key) ]
                  | None -> []),
        Outputs = (match after with Some next -> [ for j in 0 .. 7 -> CircuitLink(next, j, 0.3f, null) ] | None -> []))

let clock = Stopwatch.StartNew()
for image in 0 .. imageCount - 1 do put (keys.DatasetImage image)
let manifestLayers =
    layers |> List.mapi (fun index (name, channels) ->
        let channels = max 1 (channels / divisor)
        LayerManifest(name, (if name = "logits" then "linear" else "conv"), channels, 14, 14, [ for u in 0 .. channels - 1 -> unitManifest index name u ]))
store.PutJsonAsync(keys.Manifest,
    AtlasManifest(Atlas = "googlenet", Version = "v1", Title = "GoogLeNet (synthetic)", CreatedAt = DateTimeOffset.UtcNow,
        Model = ModelInfo("googlenet", "googlenet.pt", String('a', 64), 3, 224, 224, Nullable()),
        Dataset = DatasetInfo("synthetic", "val", imageCount, [ for i in 0 .. 999 -> sprintf "class %d" i ]),
        Recipe = RecipeInfo("fourier", 512, 0.05, 0, 128, "standard"),
        Layers = manifestLayers)).Wait()
let units = manifestLayers |> List.sumBy (fun l -> l.Units.Count)
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
