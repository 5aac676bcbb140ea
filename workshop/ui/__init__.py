"""ipywidgets panels, one module per workshop step; they call the layers below and hold no rule of their own."""
