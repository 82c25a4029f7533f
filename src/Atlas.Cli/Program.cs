return await Atlas.Cli.AtlasCli.RunAsync(args);
