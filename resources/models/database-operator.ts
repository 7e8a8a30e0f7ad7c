// A well-behaved operator for a custom resource (docs/sdk.md): a Database asks for `replicas` members running one
// `version`. The operator creates the lowest missing member, deletes the highest extra one, upgrades one member at a
// time and keeps the Database's status up to date; an agent (a kubelet in miniature) makes members ready. The user
// may scale by ±1 and upgrade to v2. It converges: `stabilis check --model-file resources/models/database-operator.ts`
// reports "database-ready" holding with the worst-case steps-to-converge.
//
// Only a type import: Node erases it, so this file runs from any folder (copy it into your models folder).
import type { ModelSpec, Obj, StepContext } from '../../src-main/models/sdk/index.ts'

const members = (ctx: StepContext, db: Obj): Obj[] => ctx.list('Member', { owner: db })

export default {
  id: 'database-operator',
  title: 'Database operator (SDK example)',
  description: 'A custom Database resource and its operator: members created in ordinal order, upgraded one at a time; converges.',
  kinds: {
    Database: { spec: { replicas: 'int', version: 'string' }, status: { members: 'int', ready: 'int' } },
    Member: { spec: { ordinal: 'int', version: 'string' }, status: { ready: 'bool' } },
  },
  params: [{ name: 'replicas', kind: 'int', label: 'Replicas', default: 2, min: 0, max: 4 }],
  initial: (p) => [{ kind: 'Database', name: 'db', spec: { replicas: Number(p.replicas), version: 'v1' } }],
  controllers: [
    {
      name: 'operator',
      step(ctx) {
        for (const db of ctx.list('Database', { terminating: false })) {
          const ms = members(ctx, db)
          const live = ms.filter((m) => m.meta.deletion === undefined)
          // Scale down: the highest ordinal first.
          const extra = live.filter((m) => m.spec.ordinal >= db.spec.replicas).sort((a, b) => b.spec.ordinal - a.spec.ordinal)
          if (extra.length > 0) return ctx.delete(extra[0])
          // Scale up: the lowest missing ordinal.
          for (let i = 0; i < db.spec.replicas; i++) {
            if (!ms.some((m) => m.spec.ordinal === i)) {
              return ctx.create('Member', `${db.meta.name}-${i}`, { spec: { ordinal: i, version: db.spec.version }, owner: db, labels: { db: db.meta.name } })
            }
          }
          // Upgrade one member at a time, only while every member is ready.
          const stale = live.find((m) => m.spec.version !== db.spec.version)
          if (stale && live.every((m) => m.status.ready)) return ctx.update(stale, { spec: { version: db.spec.version }, status: { ready: false } })
          const ready = live.filter((m) => m.status.ready && m.spec.version === db.spec.version).length
          const w = ctx.update(db, { status: { members: live.length, ready } })
          if (w) return w
        }
        return undefined
      },
    },
    {
      name: 'agent',
      step(ctx) {
        const m = ctx.list('Member', { terminating: false }).find((x) => !x.status.ready)
        return m ? ctx.update(m, { status: { ready: true } }) : undefined
      },
    },
  ],
  userActions: (p) => [
    {
      label: 'scale db up',
      write: (ctx) => {
        const db = ctx.get('Database', 'db')
        return db && db.spec.replicas < Number(p.replicas) + 1 ? ctx.update(db, { spec: { replicas: db.spec.replicas + 1 } }) : undefined
      },
    },
    {
      label: 'scale db down',
      write: (ctx) => {
        const db = ctx.get('Database', 'db')
        return db && db.spec.replicas > Math.max(0, Number(p.replicas) - 1) ? ctx.update(db, { spec: { replicas: db.spec.replicas - 1 } }) : undefined
      },
    },
    {
      label: 'upgrade db to v2',
      write: (ctx) => {
        const db = ctx.get('Database', 'db')
        return db ? ctx.update(db, { spec: { version: 'v2' } }) : undefined
      },
    },
  ],
  properties: [
    {
      name: 'members-owned',
      kind: 'always',
      description: 'Every Member belongs to an existing Database.',
      check: (r) => r.list('Member').every((m) => m.meta.owner !== undefined && r.get('Database', m.meta.owner.name)?.meta.uid === m.meta.owner.uid),
    },
    {
      name: 'status-not-ahead',
      kind: 'always',
      description: 'A Database never reports more ready members than it asks for plus one.',
      check: (r) => r.list('Database').every((d) => d.status.ready <= d.spec.replicas + 1),
    },
    {
      name: 'database-ready',
      kind: 'converges',
      description: 'Every Database ends with exactly `replicas` ready members at its version, its status saying so, and nothing left to do.',
      check: (r) =>
        r.list('Database').every((d) => {
          const ms = r.list('Member', { owner: d })
          return (
            ms.length === d.spec.replicas &&
            ms.every((m) => m.status.ready && m.spec.version === d.spec.version) &&
            d.status.members === d.spec.replicas &&
            d.status.ready === d.spec.replicas
          )
        }) && r.quiescent(),
    },
  ],
} satisfies ModelSpec
