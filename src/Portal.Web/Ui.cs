namespace Portal.Web;

/// <summary>Marker type for the UI's string resources (Resources/Ui.resx, Resources/Ui.ru.resx).</summary>
public sealed class Ui;
