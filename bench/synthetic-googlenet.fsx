// A synthetic store with the manifest and artifact counts a whole GoogLeNet atlas writes (6,808 units: every channel
// of the 12 Microscope layers and the 1,000 classes; 7 pictures, 9 top and 9 bottom examples, 8 input kernels per unit;
// 10,000 data set images). Every picture is a 1×1 PNG, so what a benchmark measures is the files' and requests' cost,
// not their bytes'. #load-ed by site-scale.fsx and blob-republish.fsx, which reference the Atlas assemblies first.
module SyntheticGoogLeNet

open System
open System.Threading.Tasks
open Atlas.Storage
open Atlas.Storage.Manifests

let keys = AtlasKeys("googlenet", "v1")
let private png = Convert.FromBase64String "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
let private layers =
    [ "conv1", 64; "conv2", 64; "conv3", 192; "inception3a", 256; "inception3b", 480; "inception4a", 512; "inception4b", 512
      "inception4c", 512; "inception4d", 528; "inception4e", 832; "inception5a", 832; "inception5b", 1024; "logits", 1000 ]
let private imageCount = 10000

/// Writes the atlas into the store, every layer's unit count divided by divisor, the images `concurrency` at a time (a
/// blob store answers one request at a time per connection); returns how many units the manifest has.
let write (store: IArtifactStore) (divisor: int) (concurrency: int) =
    let random = Random 1
    let images = Collections.Generic.List<string>()
    let unitManifest layerIndex (name: string) unit =
        let folder = sprintf "%s/layers/%s/units/%d" keys.Root name unit
        let pictures =
            [ for kind in [ "channel"; "negative"; "neuron"; "diversity-0"; "diversity-1"; "diversity-2"; "diversity-3" ] ->
                let key = sprintf "%s/vis-%s.png" folder kind
                images.Add key
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
                      | Some from -> [ for j in 0 .. 7 -> let key = keys.CircuitKernel(name, unit, from, j) in images.Add key; CircuitLink(from, j, 0.5f, key) ]
                      | None -> []),
            Outputs = (match after with Some next -> [ for j in 0 .. 7 -> CircuitLink(next, j, 0.3f, null) ] | None -> []))

    for image in 0 .. imageCount - 1 do images.Add(keys.DatasetImage image)
    let manifestLayers =
        layers |> List.mapi (fun index (name, channels) ->
            let channels = max 1 (channels / divisor)
            LayerManifest(name, (if name = "logits" then "linear" else "conv"), channels, 14, 14, [ for u in 0 .. channels - 1 -> unitManifest index name u ]))
    let options = ParallelOptions(MaxDegreeOfParallelism = concurrency)
    Parallel.ForEachAsync(images, options, fun key ct -> ValueTask(store.PutAsync(key, ReadOnlyMemory png, "image/png", ct))).Wait()
    store.PutJsonAsync(keys.Manifest,
        AtlasManifest(Atlas = "googlenet", Version = "v1", Title = "GoogLeNet (synthetic)", CreatedAt = DateTimeOffset.UtcNow,
            Model = ModelInfo("googlenet", "googlenet.pt", String('a', 64), 3, 224, 224, Nullable()),
            Dataset = DatasetInfo("synthetic", "val", imageCount, [ for i in 0 .. 999 -> sprintf "class %d" i ]),
            Recipe = RecipeInfo("fourier", 512, 0.05, 0, 128, "standard"),
            Layers = manifestLayers)).Wait()
    manifestLayers |> List.sumBy (fun l -> l.Units.Count)
