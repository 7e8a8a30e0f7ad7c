// Renderer entry: theme first (so the first paint has the right colours), then the app.
import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { initTheme } from './lib/theme.svelte.ts'

initTheme()
const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
mount(App, { target })
