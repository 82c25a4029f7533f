// Republishing a site from a blob store: what keeping the images the store still holds unchanged saves, against
// fetching every image again (what every republish did before, and still does with SiteOptions.KeepUnchangedImages
// off). A watcher republishes every version it keeps after each checkpoint, so this is its cost per checkpoint.
// Needs Azurite (`bash scripts/azurite.sh start`) and a build (`dotnet build Atlas.sln -c Release`; the references are the CLI's, which has the Azure SDK beside it), then:
//   dotnet fsi bench/blob-republish.fsx [DIVISOR]
// DIVISOR (default 8) divides every layer's unit count of the synthetic GoogLeNet (synthetic-googlenet.fsx); the
// 10,000 data set images stay. Its containers are deleted at the end.
#r "../src/Atlas.Cli/bin/Release/net10.0/Azure.Core.dll"
#r "../src/Atlas.Cli/bin/Release/net10.0/Azure.Storage.Common.dll"
#r "../src/Atlas.Cli/bin/Release/net10.0/Azure.Storage.Blobs.dll"
#r "../src/Atlas.Cli/bin/Release/net10.0/Atlas.Storage.dll"
#r "../src/Atlas.Cli/bin/Release/net10.0/Atlas.Site.dll"
#load "synthetic-googlenet.fsx"
open System
open System.Diagnostics
open System.IO
open System.Threading
open Atlas.Site
open Atlas.Site.Publishing
open Atlas.Storage

let divisor = if fsi.CommandLineArgs.Length > 1 then int fsi.CommandLineArgs.[1] else 8
let connection = "UseDevelopmentStorage=true"
let variable = "ATLAS_BENCH_SITE_BLOB"
let id = Guid.NewGuid().ToString("N").[..11]
let storeContainer = sprintf "bench-store-%s" id
let siteContainer = sprintf "bench-site-%s" id
let folder = Path.Combine(Path.GetTempPath(), sprintf "atlas-blob-republish-%s" id)
let blobs = AzureBlobArtifactStore.FromConnectionString(connection, storeContainer)
let store = ResilientArtifactStore(blobs) :> IArtifactStore

let clock = Stopwatch.StartNew()
let units = SyntheticGoogLeNet.write store divisor 16
printfn "store: %d units and their images written to Azurite in %.1f s" units clock.Elapsed.TotalSeconds
clock.Restart()
let hashes = store.ContentHashesAsync(SyntheticGoogLeNet.keys.Root + "/").Result
printfn "the listing a republish reads first: %d MD5s in %.1f s" hashes.Count clock.Elapsed.TotalSeconds

let measure (what: string) (publish: SiteOptions -> Tasks.Task<SiteResult * BlobPublishResult option>) keep =
    clock.Restart()
    let site, blob = (publish (SiteOptions(KeepUnchangedImages = keep))).Result
    let sent = match blob with Some b -> sprintf ", %d files uploaded, %d unchanged" b.Uploaded b.Unchanged | None -> ""
    printfn "%-38s %6.1f s: %d images, %d kept from the previous site%s" what clock.Elapsed.TotalSeconds site.Images site.ImagesKept sent

let toFolder (options: SiteOptions) =
    task {
        let! site = SiteGenerator().GenerateAsync(store, folder, options, null, CancellationToken.None)
        return site, None
    }

let toContainer (options: SiteOptions) =
    task {
        let! result = SitePublisher.PublishAsync(store, sprintf "azure-blob://%s?connection=%s" siteContainer variable, options, null,
                                                 CancellationToken.None, (fun name -> if name = variable then connection else null))
        return result.Site, Option.ofObj result.Blob
    }

try
    measure "folder: first publish" toFolder true
    measure "folder: republish, fetching all" toFolder false
    measure "folder: republish, keeping" toFolder true
    measure "container: first publish" toContainer true
    measure "container: republish, fetching all" toContainer false
    measure "container: republish, keeping" toContainer true
finally
    if Directory.Exists folder then Directory.Delete(folder, true)
    blobs.Container.DeleteIfExists() |> ignore
    AzureBlobArtifactStore.FromConnectionString(connection, siteContainer).Container.DeleteIfExists() |> ignore
