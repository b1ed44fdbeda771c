/** Whether the "Search everywhere" view is open (Ctrl/Cmd+Shift+F, or from the Ctrl/Cmd+K switcher), and with what query. */
class SearchUi {
  open = $state(false)
  initialQuery = $state('')

  show(query = ''): void {
    this.initialQuery = query
    this.open = true
  }

  close(): void {
    this.open = false
  }
}

export const searchUi = new SearchUi()
