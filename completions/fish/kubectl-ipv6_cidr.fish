# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_ipv6_cidr_global_optspecs
    string join \n h/help V/version
end

function __fish_kubectl_ipv6_cidr_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_ipv6_cidr_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_ipv6_cidr_using_subcommand
    set -l cmd (__fish_kubectl_ipv6_cidr_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "info" -d 'Everything about an address or CIDR: network, first/last, exact count, forms, binary, type'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "plan" -d 'The smallest prefix for N addresses, and which networks of that size are valid'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "check" -d 'Check service, pod and node ranges against Kubernetes\' rules (and a vendor profile)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "split" -d 'Enumerate the subnets of a network, lazily (any count, constant memory)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "cluster" -d 'Read the cluster\'s ranges (ServiceCIDRs, the kubernetes Service, nodes\' podCIDRs) and check them'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "completion" -d 'Shell completion: print a static script, or install the dynamic completer'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand info" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand info" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l addresses -d 'Addresses the range must hold (e.g. 8192, 65,536 or 2^13); rounded up to a power of two' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l hosts -d 'Usable host addresses the range must hold (IPv4 loses network+broadcast, IPv6 the network address)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l family -d 'Address family of the range' -r -f -a "ipv6\t''
ipv4\t''"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l for -d 'What the range is for (decides which Kubernetes and profile rules apply)' -r -f -a "service\t'Service ClusterIPs (`--service-cluster-ip-range`, ServiceCIDR objects)'
pod\t'The pod network (`--cluster-cidr`), split into per-node ranges'
node\t'The nodes\' own subnet (VPC/host network)'"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l within -d 'Suggest networks inside this parent (default: the profile\'s block, or --random-ula\'s /48)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l limit -d 'How many candidate networks to list' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l profile -d 'Apply a vendor\'s constraints: cce (Huawei Cloud CCE / CCE Turbo)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l kube-version -d 'Kubernetes version the range is for (decides the service allocator\'s limit)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l random -d 'Pick one candidate at random instead of listing the first ones'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l random-ula -d 'Generate a random RFC 4193 unique local /48 (fdXX:XXXX:XXXX::/48) and plan inside it'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l as -d 'What the positional ranges are' -r -f -a "service\t'Service ClusterIPs (`--service-cluster-ip-range`, ServiceCIDR objects)'
pod\t'The pod network (`--cluster-cidr`), split into per-node ranges'
node\t'The nodes\' own subnet (VPC/host network)'"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l service-cidr -d 'Service ranges (kube-apiserver --service-cluster-ip-range), comma-separated or repeated' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l pod-cidr -d 'Pod network ranges (kube-controller-manager --cluster-cidr), comma-separated or repeated' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l node-cidr -d 'Node (host/VPC) subnets, comma-separated or repeated' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l node-mask-ipv4 -d 'kube-controller-manager --node-cidr-mask-size-ipv4 (default 24)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l node-mask-ipv6 -d 'kube-controller-manager --node-cidr-mask-size-ipv6 (default 64)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l max-pods -d 'kubelet --max-pods (default 110)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l kube-version -d 'Kubernetes version (decides whether kube-apiserver\'s 20-bit service range cap applies)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l allocator -d 'Service IP allocator in use, when feature gates differ from the version\'s defaults' -r -f -a "legacy\t'The bitmap allocator (or dual write with it): at most 20 host bits'
ipaddress\t'IPAddress objects only (ServiceCIDR API): IPv6 prefix at least /64, no 20-bit cap'"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l profile -d 'Apply a vendor\'s constraints: cce (Huawei Cloud CCE / CCE Turbo)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -l into -d 'Prefix length of the subnets (`/115` or `115`)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -l count -d 'Split into at least N equal subnets (rounded up to a power of two)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -l limit -d 'Print at most N subnets (default: all; 1000 when writing to a terminal)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -l offset -d 'Skip the first N subnets (computed, not walked: any offset is instant)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand split" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l service-cidr -d 'Service ranges to assume when the cluster has no ServiceCIDR API (before 1.31/1.33)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l pod-cidr -d 'Pod network ranges (kube-controller-manager --cluster-cidr), comma-separated or repeated' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l node-cidr -d 'Node (host/VPC) subnets, comma-separated or repeated' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l node-mask-ipv4 -d 'kube-controller-manager --node-cidr-mask-size-ipv4 (default 24)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l node-mask-ipv6 -d 'kube-controller-manager --node-cidr-mask-size-ipv6 (default 64)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l max-pods -d 'kubelet --max-pods (default 110)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l kube-version -d 'Kubernetes version (decides whether kube-apiserver\'s 20-bit service range cap applies)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l allocator -d 'Service IP allocator in use, when feature gates differ from the version\'s defaults' -r -f -a "legacy\t'The bitmap allocator (or dual write with it): at most 20 host bits'
ipaddress\t'IPAddress objects only (ServiceCIDR API): IPv6 prefix at least /64, no 20-bit cap'"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l profile -d 'Apply a vendor\'s constraints: cce (Huawei Cloud CCE / CCE Turbo)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand cluster" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -s h -l help -d 'Print help'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "bash" -d 'Print the bash completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "zsh" -d 'Print the zsh completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "fish" -d 'Print the fish completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "powershell" -d 'Print the powershell completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from bash" -s h -l help -d 'Print help'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from zsh" -s h -l help -d 'Print help'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from fish" -s h -l help -d 'Print help'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from powershell" -s h -l help -d 'Print help'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from install" -l dir -d 'Where to create it (default: next to the plugin on PATH)' -r -f -a "(__fish_complete_directories)"
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "bash" -d 'Print the bash completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "zsh" -d 'Print the zsh completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "fish" -d 'Print the fish completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "powershell" -d 'Print the powershell completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "info" -d 'Everything about an address or CIDR: network, first/last, exact count, forms, binary, type'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "plan" -d 'The smallest prefix for N addresses, and which networks of that size are valid'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "check" -d 'Check service, pod and node ranges against Kubernetes\' rules (and a vendor profile)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "split" -d 'Enumerate the subnets of a network, lazily (any count, constant memory)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "cluster" -d 'Read the cluster\'s ranges (ServiceCIDRs, the kubernetes Service, nodes\' podCIDRs) and check them'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "completion" -d 'Shell completion: print a static script, or install the dynamic completer'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and not __fish_seen_subcommand_from info plan check split cluster completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "bash" -d 'Print the bash completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "zsh" -d 'Print the zsh completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "fish" -d 'Print the fish completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "powershell" -d 'Print the powershell completion script for kubectl-ipv6_cidr'
complete -c kubectl-ipv6_cidr -n "__fish_kubectl_ipv6_cidr_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
