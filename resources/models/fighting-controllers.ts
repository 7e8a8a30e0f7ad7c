// Two controllers that fight over one field (docs/sdk.md): an autoscaler sets an App's spec.replicas from the load
// it measures (constant here: 3), while a GitOps syncer resets it to what is committed in git (2). Each undoes the
// other's write forever: the checker reports the "settled" property as an oscillation, with a lasso trace
// (`stabilis check --model-file resources/models/fighting-controllers.ts`). Setting `agree` makes them want the same
// value, and then it converges.
import type { ModelSpec } from '../../src-main/models/sdk/index.ts'

export default {
  id: 'fighting-controllers',
  title: 'Fighting controllers (SDK example)',
  description: 'An autoscaler and a GitOps syncer fight over App spec.replicas: an oscillation the checker finds as a lasso.',
  kinds: {
    App: { spec: { replicas: 'int' } },
  },
  params: [{ name: 'agree', kind: 'bool', label: 'Controllers agree', description: 'Both want 2 replicas (no fight).', default: false }],
  initial: [{ kind: 'App', name: 'web', spec: { replicas: 1 } }],
  controllers: (p) => [
    {
      name: 'autoscaler',
      step(ctx) {
        const app = ctx.get('App', 'web')
        const want = p.agree ? 2 : 3
        return app && app.spec.replicas !== want ? ctx.update(app, { spec: { replicas: want } }) : undefined
      },
    },
    {
      name: 'gitops',
      step(ctx) {
        const app = ctx.get('App', 'web')
        return app && app.spec.replicas !== 2 ? ctx.update(app, { spec: { replicas: 2 } }) : undefined
      },
    },
  ],
  properties: [
    {
      name: 'replicas-in-range',
      kind: 'always',
      description: 'The App always asks for 1 to 3 replicas.',
      check: (r) => r.list('App').every((a) => a.spec.replicas >= 1 && a.spec.replicas <= 3),
    },
    {
      name: 'settled',
      kind: 'converges',
      description: 'Eventually neither controller has anything left to do, and it stays so.',
      check: (r) => r.quiescent(),
    },
  ],
} satisfies ModelSpec
