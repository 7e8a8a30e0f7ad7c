// The consistency levels of the orchestration models, in words (DESIGN.md, "Orchestration model").
export const CONSISTENCY_LEVELS: readonly { level: string; text: string }[] = [
  { level: 'synchronous', text: 'every read sees the latest datastore state' },
  { level: 'monotonic-session', text: 'a read sees any state not older than the last one this controller saw; the latest after a restart' },
  { level: 'resettable-session', text: 'as monotonic-session, but after a restart a read may see any past state' },
  { level: 'optimistic', text: 'reads follow the latest branch; a write forks the history from the state it read' },
  { level: 'causal', text: 'a read sees any causally consistent merge of concurrent branches; concurrent writes merge per object (Dismerge-like)' },
]

export const READS_AT_TEXT =
  '“reads @R”: the controller acted on the datastore as it was at revision R (the head is the newest revision). Under weaker levels R can be older than the head: a stale read.'
