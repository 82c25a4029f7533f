// Where a process's managed allocations go: reads a trace written by `dotnet-trace collect --profile gc-verbose`
// and sums the runtime's allocation samples (one about every 100 KB) by type, and by type and the innermost
// Atlas method on the stack. For the site generator on a whole-GoogLeNet store:
//   dotnet tool install -g dotnet-trace
//   dotnet fsi bench/site-scale.fsx 1 /tmp/scale          # keeps the synthetic store in /tmp/scale/store
//   ~/.dotnet/tools/dotnet-trace collect --profile gc-verbose -o /tmp/publish.nettrace -- \
//       src/Atlas.Cli/bin/Release/net10.0/atlas publish --store /tmp/scale/store -o /tmp/scale/site -v q
//   dotnet fsi bench/allocations.fsx /tmp/publish.nettrace [TOP]
#r "nuget: Microsoft.Diagnostics.Tracing.TraceEvent, 3.1.21"
open System.Collections.Generic
open Microsoft.Diagnostics.Tracing.Etlx
open Microsoft.Diagnostics.Tracing.Parsers.Clr

let top = if fsi.CommandLineArgs.Length > 2 then int fsi.CommandLineArgs.[2] else 20
let log = new TraceLog(TraceLog.CreateFromEventPipeDataFile fsi.CommandLineArgs.[1])
let byType = Dictionary<string, int64>()
let bySite = Dictionary<string, int64>()
let add (table: Dictionary<string, int64>) key amount =
    table.[key] <- (match table.TryGetValue key with | true, sum -> sum | _ -> 0L) + amount

/// The innermost frame in the project's own code: the method whose allocation it is, or that asked the library to make it.
let atlasFrame (event: Microsoft.Diagnostics.Tracing.TraceEvent) =
    let rec walk (stack: TraceCallStack) =
        if isNull stack then "(outside Atlas code)"
        else match stack.CodeAddress.FullMethodName with
             | null -> walk stack.Caller
             | name when name.StartsWith "Atlas." -> name.Substring(0, (let i = name.IndexOf '(' in if i < 0 then name.Length else i))
             | _ -> walk stack.Caller
    walk (event.CallStack())

for event in log.Events do
    match event with
    | :? GCAllocationTickTraceData as tick ->
        add byType tick.TypeName tick.AllocationAmount64
        add bySite (sprintf "%-28s %s" tick.TypeName (atlasFrame event)) tick.AllocationAmount64
    | _ -> ()

let print title (table: Dictionary<string, int64>) =
    printfn "%s" title
    for KeyValue(key, bytes) in table |> Seq.sortByDescending (fun pair -> pair.Value) |> Seq.truncate top do
        printfn "%9.0f MB  %s" (float bytes / 1e6) key
printfn "sampled allocations: %.0f MB" (float (Seq.sum byType.Values) / 1e6)
print "by type:" byType
print "by type and innermost Atlas method:" bySite
