// The shape of platform.json, which `npm run infra` generates from the capability modules. main.bicep
// loads that file into a variable of type `platform`, so the compiler rejects a generated file the
// templates cannot deploy (a missing field, a misspelled one, a wrong type).

@export()
@sealed()
@description('A Cosmos DB container as the code declares it.')
type cosmosContainer = {
  @description('Container id.')
  name: string

  @minLength(1)
  @maxLength(3)
  @description('Partition key paths; more than one makes a hierarchical (MultiHash) key.')
  partitionKeyPaths: string[]

  @description('Default time to live: -2 = off, -1 = per item, otherwise seconds.')
  defaultTtl: int
}

@export()
@sealed()
@description('A subscription of the events topic: one per consumer.')
type topicSubscription = {
  @description('Subscription name.')
  name: string

  @description('The function that consumes the subscription (for people reading the file).')
  consumer: string

  @description('SQL filter of the subscription\'s $Default rule: the events its consumer accepts.')
  sqlFilter: string
}

@export()
@description('App settings by name, each a string (for example Schedule_<timer> to an NCRONTAB expression).')
type stringMap = {
  @description('The value of the setting named by the key.')
  *: string
}

@export()
@sealed()
@description('Everything the capability modules declare that the templates deploy (platform.json).')
type platformManifest = {
  @description('Note that the file is generated.')
  '$comment': string?

  @description('Cosmos DB containers with their partition keys and TTL.')
  cosmosContainers: cosmosContainer[]

  @description('The app\'s own blob containers.')
  blobContainers: string[]

  @description('Service Bus topic every domain event is published to.')
  eventsTopic: string

  @description('Filtered subscriptions of the events topic.')
  subscriptions: topicSubscription[]

  @description('Timer schedules by app setting (Schedule_<timer>, NCRONTAB).')
  timerSchedules: stringMap
}

@export()
@description('Resource tags.')
type tags = {
  @description('Tag value.')
  *: string
}
