// Copies text: the async Clipboard API where allowed, otherwise a hidden textarea and execCommand (older
// Electron contexts, http pages, tests).
export async function copyText(text: string): Promise<void> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return
    }
  } catch {
    // fall back below
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  try {
    if (typeof document.execCommand !== 'function' || !document.execCommand('copy')) throw new Error('copy refused')
  } catch {
    throw new Error('Could not copy to the clipboard; select the text and copy it by hand.')
  } finally {
    area.remove()
  }
}
