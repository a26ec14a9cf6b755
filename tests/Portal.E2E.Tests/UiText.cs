namespace Portal.E2E.Tests;

/// <summary>
/// The visible texts the journey asserts, in each language the console offers
/// (src/Portal.Web/Resources/Ui.resx and Ui.ru.resx).
/// </summary>
public sealed record UiText(
    string Culture,
    string HtmlLang,
    string Networks,
    string CreateNetwork,
    string NetworkCreated,
    string AddSubnet,
    string SubnetAdded,
    string OverlapsSubnet,
    /// <summary>The overlap error of a subnet: {0} the new CIDR, {1} the unnamed subnet it overlaps.</summary>
    string OverlapFormat,
    string Cancel,
    string Information,
    string Gateway,
    string AllocationPools,
    string Free,
    string Ports,
    string AddPort,
    string SpecificAddress,
    string PortAdded,
    string DeletePortQuestion,
    string Delete,
    string PortDeleted,
    string NamedPort)
{
    public static readonly UiText Russian = new(
        Culture: "ru-RU",
        HtmlLang: "ru",
        Networks: "Сети",
        CreateNetwork: "Создать сеть",
        NetworkCreated: "создана",
        AddSubnet: "Добавить подсеть",
        SubnetAdded: "добавлена",
        OverlapsSubnet: "пересекается с подсетью",
        OverlapFormat: "{0} пересекается с подсетью {1} в этой сети",
        Cancel: "Отмена",
        Information: "Информация",
        Gateway: "Шлюз",
        AllocationPools: "Пулы адресов",
        Free: "Свободно:",
        Ports: "Порты",
        AddPort: "Добавить порт",
        SpecificAddress: "Указать адрес",
        PortAdded: "добавлен",
        DeletePortQuestion: "Удалить порт",
        Delete: "Удалить",
        PortDeleted: "удалён",
        NamedPort: "«{0}» ({1})");

    public static readonly UiText English = new(
        Culture: "en-US",
        HtmlLang: "en",
        Networks: "Networks",
        CreateNetwork: "Create network",
        NetworkCreated: "created",
        AddSubnet: "Add subnet",
        SubnetAdded: "added",
        OverlapsSubnet: "overlaps with another subnet",
        OverlapFormat: "{0} overlaps with another subnet of this network: {1}",
        Cancel: "Cancel",
        Information: "Information",
        Gateway: "Gateway",
        AllocationPools: "Allocation pools",
        Free: "Free:",
        Ports: "Ports",
        AddPort: "Add port",
        SpecificAddress: "Specific address",
        PortAdded: "added",
        DeletePortQuestion: "Delete port",
        Delete: "Delete",
        PortDeleted: "deleted",
        NamedPort: "“{0}” ({1})");

    public static UiText For(string culture) => culture switch
    {
        "ru-RU" => Russian,
        "en-US" => English,
        _ => throw new ArgumentOutOfRangeException(nameof(culture), culture, "The console speaks ru-RU and en-US."),
    };
}
