// Brax Viewer Hub on Azure App Service (Linux, .NET 10), with an optional Azure Cache for
// Redis as the SignalR backplane and shared-state store.
//
// Why no Azure SignalR Service: it takes client connections away from the app and knows nothing
// of connections the app creates itself, so the raw WebSocket clients of /ws/frame and
// /ws/control (which the server turns into hub connections) could not join. Scale-out uses the
// SignalR Redis backplane instead; see docs/deploy-azure.md.
//
// Deploy: az deployment group create -g <rg> -f deploy/azure/main.bicep -p deploy/azure/main.parameters.json \
//           -p streamerKey="$STREAMER_KEY" viewerKey="$VIEWER_KEY"
// The keys are never in a parameters file that is committed; see docs/deploy-azure.md.

targetScope = 'resourceGroup'

@description('Azure region of every resource. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Name of the web app; the default host name is derived from it, so it must be globally unique (2-60 characters: letters, digits, hyphens).')
@minLength(2)
@maxLength(60)
param appName string = 'brax-viewer-${uniqueString(resourceGroup().id)}'

@description('App Service plan SKU. B1 is the cheapest that supports Always On, web sockets and health checks (at most 3 instances); P0v3 and up for production and for more than 3 instances.')
param planSku string = 'B1'

@description('Number of instances of the plan (the plan\'s capacity). More than 1 REQUIRES a Redis backplane (deployRedis = true or externalRedisConnectionString): without it each instance is an island and viewers on one instance never see frames streamed to another. Bicep cannot refuse the combination, so the redisBackplane and scaleOutWarning outputs report it.')
@minValue(1)
@maxValue(30)
param instanceCount int = 1

@description('Create an Azure Cache for Redis and wire it into the app as ConnectionStrings__Redis (SignalR backplane and shared state). Required when instanceCount > 1 unless externalRedisConnectionString is given.')
param deployRedis bool = false

@description('Name of the Azure Cache for Redis (globally unique, 1-63 characters: letters, digits, hyphens). Used only when deployRedis is true.')
@minLength(1)
@maxLength(63)
param redisName string = take('${appName}-redis', 63)

@description('Azure Cache for Redis tier: Basic (one node, no SLA, cheapest) or Standard (primary and replica, SLA). Used only when deployRedis is true.')
@allowed([
  'Basic'
  'Standard'
])
param redisSkuName string = 'Basic'

@description('Azure Cache for Redis size in the C family: 0 = C0 (250 MB, shared CPU), 1 = C1 (1 GB). Used only when deployRedis is true.')
@allowed([
  0
  1
])
param redisCapacity int = 0

@secure()
@description('StackExchange.Redis connection string of a Redis you run yourself (for example Azure Managed Redis: "<host>:10000,password=<key>,ssl=True,abortConnect=False"). Used only when deployRedis is false; empty = no backplane (single-process, in-memory mode).')
param externalRedisConnectionString string = ''

// The app is on the internet: both keys are required, so a deployment cannot leave it open by
// omission. They go straight into app settings and never appear in an output.
@secure()
@minLength(16)
@description('Streamer key (Viewer__StreamerKey): streams frames, toggles rendering, loads scenes. At least 16 characters; pass it at deployment time (e.g. from a GitHub secret), never in a committed parameters file.')
param streamerKey string

@secure()
@minLength(16)
@description('Viewer key (Viewer__ViewerKey): watches frames and scenes; pages open as https://<host>/?access_token=<viewer key>. At least 16 characters, different from streamerKey.')
param viewerKey string

@description('Port the app listens on inside the App Service container; passed to the app as WEBSITES_PORT (the platform also sets PORT).')
param appPort int = 8080

@description('Startup command of the built-in .NET image; the publish folder is deployed to /home/site/wwwroot.')
param startupCommand string = 'dotnet Brax.Viewer.Server.dll'

@description('Tags applied to every resource.')
param tags { *: string } = {
  application: 'brax-viewer-hub'
}

var redisEnabled = deployRedis || !empty(externalRedisConnectionString)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${appName}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: planSku
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

resource redis 'Microsoft.Cache/redis@2024-11-01' = if (deployRedis) {
  name: redisName
  location: location
  tags: tags
  properties: {
    sku: {
      name: redisSkuName
      family: 'C'
      capacity: redisCapacity
    }
    enableNonSslPort: false // TLS only: port 6380
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled' // the app reaches it over the internet, with TLS and the access key
    redisVersion: '6'
  }
}

// The key goes straight into an app setting; it never appears in an output.
var redisConnectionString = deployRedis
  ? '${redis!.properties.hostName}:${redis!.properties.sslPort},password=${redis!.listKeys().primaryKey},ssl=True,abortConnect=False'
  : externalRedisConnectionString

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'app,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // ARR affinity: a SignalR client that negotiates (POST /hubs/*/negotiate) and then connects,
    // or falls back from WebSockets to Server-Sent Events or long polling, must reach the same
    // instance for every request of its connection. Raw /ws/* clients need no affinity.
    clientAffinityEnabled: true
    siteConfig: {
      linuxFxVersion: 'DOTNETCORE|10.0'
      appCommandLine: startupCommand
      webSocketsEnabled: true // off: WebSocket upgrades fail (503 or plain HTTP answers)
      alwaysOn: true // off: an idle app is unloaded and every open socket drops (1006)
      healthCheckPath: '/healthz' // liveness only; /readyz would pull every instance during a Redis outage
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      remoteDebuggingEnabled: false
      appSettings: concat(
        [
          {
            name: 'ASPNETCORE_ENVIRONMENT'
            value: 'Production'
          }
          {
            // TLS ends at the App Service front end: trust X-Forwarded-For / X-Forwarded-Proto. The
            // front ends forward from addresses that cannot be listed (no Viewer:KnownProxies), and
            // the app is reachable only through them, so trusting every sender is what fits here.
            name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED'
            value: 'true'
          }
          {
            name: 'Viewer__StreamerKey'
            value: streamerKey
          }
          {
            name: 'Viewer__ViewerKey'
            value: viewerKey
          }
          {
            name: 'WEBSITES_PORT'
            value: string(appPort)
          }
          {
            // The workflow deploys a ready-made publish folder: no build on the server.
            name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
            value: 'false'
          }
        ],
        redisEnabled
          ? [
              {
                name: 'ConnectionStrings__Redis'
                value: redisConnectionString
              }
            ]
          : []
      )
    }
  }
}

// No FTP(S) publishing with basic credentials; deployments go through Entra ID (az / GitHub OIDC).
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

var host = site.properties.defaultHostName

@description('HTTPS address of the app (the viewer page).')
output appUrl string = 'https://${host}'

@description('Name of the web app, for az webapp commands.')
output webAppName string = site.name

@description('Liveness endpoint (App Service health check).')
output healthUrl string = 'https://${host}/healthz'

@description('Readiness endpoint; reports the Redis backplane.')
output readyUrl string = 'https://${host}/readyz'

@description('Raw WebSocket address for viewers.')
output frameViewerWssUrl string = 'wss://${host}/ws/frame'

@description('Raw WebSocket address for streamers (the Python streamer).')
output frameStreamerWssUrl string = 'wss://${host}/ws/frame?is_streamer=true'

@description('Raw WebSocket address of the render-toggle control channel.')
output controlWssUrl string = 'wss://${host}/ws/control'

@description('SignalR hub addresses (JSON or MessagePack clients).')
output signalRHubUrls { frame: string, control: string } = {
  frame: 'https://${host}/hubs/frame'
  control: 'https://${host}/hubs/control'
}

@description('Host name of the deployed Azure Cache for Redis (no key), or empty.')
output redisHostName string = deployRedis ? redis!.properties.hostName : ''

@description('Which backplane the app was given: azure-cache-for-redis, external or none.')
output redisBackplane string = deployRedis ? 'azure-cache-for-redis' : (redisEnabled ? 'external' : 'none')

@description('Non-empty when the deployment is scaled out without a backplane (a misconfiguration).')
output scaleOutWarning string = instanceCount > 1 && !redisEnabled
  ? 'instanceCount is ${instanceCount} but no Redis backplane is configured: clients on different instances will not see each other. Redeploy with deployRedis=true or externalRedisConnectionString.'
  : ''
