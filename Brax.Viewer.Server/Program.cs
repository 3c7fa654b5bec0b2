using Brax.Viewer.Server;

var app = ViewerServer.Build(args);
await app.RunAsync();
